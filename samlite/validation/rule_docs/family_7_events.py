"""Rule docs for family 7."""

from __future__ import annotations

from samlite.validation.rule_docs.model import RuleDoc

DOCS: tuple[RuleDoc, ...] = ()
