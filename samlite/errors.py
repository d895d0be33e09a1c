"""Where things are (Mark), what was found there (Problem), and the one exception tree.

SamliteError                exit 1: expected, explained to the user
  TemplateError             carries .problems (tuple[Problem, ...]); exit 1
  UsageError                bad flags or arguments; exit 2
  UnreadableFile            a file that is missing, unreadable or not text; exit 2
  ConfigError               samconfig.toml, --parameter-overrides, --env-vars; exit 2
    MissingParameters       parameters without Default that nothing gives a value; exit 2
  StateFileError            a file of the state directory (.samlite/) can't be used; names it
  EnvironmentStartError     a process or container would not start (names the function)
  UnsafeFolder              a cache folder samlite would run code from is not private
  DependencyInstallError    pip could not install a function's or layer's requirements
  DockerUnavailable         no Docker engine answers; says how to start one; exit 3

Anything else raised is a bug: the CLI asks for a report and `--debug` shows the traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True, order=True)
class Mark:
    """A place in a file; line and column count from 1, as editors show them."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One finding. `code` is stable and never reused: its letter is its severity
    (E error, W warning) and its first digit its family:
    0 loading, 1 template structure, 2 property values, 3 references, 4 events and
    schedules, 5 limits, 6 code and runtimes, 7 SAM translator rules."""

    code: str
    message: str
    at: Mark
    path: str = ""                 # "Resources.HelloFunction.Properties.MemorySize"
    resource: str | None = None    # logical id, when the problem belongs to one
    downgraded: bool = False       # an error the user asked to see as a warning (--warn)

    @property
    def severity(self) -> Severity:
        if self.downgraded or self.code.startswith("W"):
            return Severity.WARNING
        return Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = f" {self.path}:" if self.path else ""
        return f"{self.at}: {self.severity} {self.code}{where} {self.message}"


class SamliteError(Exception):
    """Something we expected and can explain; `exit_code` is what the CLI exits with."""

    exit_code = 1


class TemplateError(SamliteError):
    def __init__(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(SamliteError):
    exit_code = 2


class UnreadableFile(SamliteError):
    exit_code = 2


class ConfigError(SamliteError):
    exit_code = 2


class MissingParameters(ConfigError):
    """Parameters without a Default that neither --parameter-overrides nor samconfig.toml
    give a value: one line each, naming it and how to give it. Nothing is guessed."""

    def __init__(self, lines: tuple[str, ...]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


class StateFileError(SamliteError):
    """A file samlite keeps in its state directory is unreadable or not what it wrote
    (names the file; moving it away or `samlite up --reset` starts clean)."""


class EnvironmentStartError(SamliteError):
    """An execution environment could not start (names the function and why)."""


class UnsafeFolder(SamliteError):
    """A folder samlite keeps code or files in (its cache, an environment's /tmp) is not a
    real folder that only this user owns and can write; names it and says what to do."""


class DependencyInstallError(SamliteError):
    """pip could not install a function's or layer's requirements.txt: names the function
    (or the layer and its users) and carries pip's own last lines."""


class DockerUnavailable(SamliteError):
    """`--runtime docker` and no engine answers: says where samlite looked, how to start one,
    and that `--runtime process` needs none."""

    exit_code = 3
