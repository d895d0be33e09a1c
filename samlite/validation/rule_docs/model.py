"""One code's documentation: what it checks, why it is refused, an example and its fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

# The transform line SAM templates start with; examples are whole templates, so a reader can
# copy one and run `samlite validate` on it.
SAM = "Transform: AWS::Serverless-2016-10-31\n"


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleDoc:
    code: str                 # the code the example produces ("E6101" for the 61xx pairs)
    title: str                # what it checks, one line
    why: str                  # why AWS, CloudFormation or SAM refuses it (or why a warning)
    example: str              # a whole template.yaml that produces `code`
    fix: str                  # the same template, corrected
    # What the docs show instead, when the real example is too long to read (limits).
    example_shown: str = ""
    fix_shown: str = ""
    # Other files of the example's project (path -> text), e.g. a handler module.
    files: Mapping[str, str] = field(default_factory=dict)
    fix_files: Mapping[str, str] | None = None     # when the fix changes them too
    # The same check under another letter: 61xx are E under `samlite up`, W under validate.
    also: tuple[str, ...] = ()
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    fix_parameter_overrides: Mapping[str, str] | None = None   # when the fix changes them
    found_by: str = "samlite validate"   # or "samlite up", for codes only starting finds
    # A finding two stages make, which validate shows once under this other code.
    shown_as: str = ""
    as_of: date | None = None   # the day the example is judged on (runtime deprecations)
    # The example meets its code only when samlite's own Python is older than this.
    python_below: tuple[int, int] | None = None
