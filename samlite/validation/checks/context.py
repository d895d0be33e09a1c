"""What every check receives (CheckContext) and what a check is: a small generator of
Problems over the loaded and resolved template (cfn-lint's rules)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from samlite.errors import Problem
from samlite.template.load import LoadedTemplate

if TYPE_CHECKING:   # imported by the share that resolves (a forked child never does)
    from samlite.template.model import ResolvedTemplate


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedModule:
    """What a handler's module defines, as the Python that will run it reads it."""

    names: frozenset[str] | None = None   # top-level names; None: `from x import *`
    error: str | None = None              # why it does not parse ("SyntaxError at line 3: ...")
    unchecked: str | None = None          # why it could not be judged here


# (module file, "3.12") -> what it defines. The default reads it with samlite's own `ast`
# (checks/code.py); app/ passes one that asks the function's own Python.
ModuleParser = Callable[[Path, str], ParsedModule]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckContext:
    loaded: LoadedTemplate              # raw nodes with marks (intrinsics unevaluated)
    resolved: ResolvedTemplate | None   # None when resolution could not run
    project_dir: Path                   # the template's folder; CodeUri is relative to it
    code_must_exist: bool = False       # `samlite up`: missing code is an error, not a warning
    today: date | None = None           # runtime deprecation dates compare to it (None: today)
    parse_module: ModuleParser | None = None   # None: samlite's own Python reads handlers


Check = Callable[[CheckContext], Iterator[Problem]]
