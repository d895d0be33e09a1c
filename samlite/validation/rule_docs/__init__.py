"""What each problem code means, for docs/rules.md and SARIF's rule metadata: a title, why AWS
(or SAM, or samlite) refuses it, a small template that meets it and the same template fixed.

Data only, one module per family (the code's first digit). `samlite validate` never imports
this package, except when SARIF is rendered; tests/validation/test_rule_docs.py runs every
example through the validation pipeline, so an example that stops failing is noticed.
"""

from __future__ import annotations

from samlite.validation.rule_docs.model import RuleDoc


def all_rule_docs() -> dict[str, RuleDoc]:
    """Every documented code (the `also` codes too) -> its entry."""
    from samlite.validation.rule_docs import (
        family_0,
        family_1,
        family_2,
        family_3,
        family_4,
        family_5,
        family_6,
        family_7_apis,
        family_7_events,
        family_7_functions,
    )

    docs: dict[str, RuleDoc] = {}
    for module in (family_0, family_1, family_2, family_3, family_4, family_5, family_6,
                   family_7_functions, family_7_events, family_7_apis):
        for doc in module.DOCS:
            for code in (doc.code, *doc.also):
                docs[code] = doc
    return docs
