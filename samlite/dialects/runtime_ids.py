"""Lambda's runtime identifiers and their deprecation dates, as a pure table.

Source: the AWS Lambda developer guide, "Lambda runtimes" (supported and deprecated runtime
tables, with "Deprecation date", "Block function create" and "Block function update"), and its
per-language pages ("Building Lambda functions with Python", "OS-only runtimes"). A date AWS
has not published (or that we could not confirm) is None. Dates move: review this table when
AWS announces a deprecation. Nothing here reads the clock; callers pass `today`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = ["RUNTIMES", "Runtime", "RuntimeStatus", "runtime_named"]


class RuntimeStatus(StrEnum):
    SUPPORTED = "supported"
    DEPRECATED = "deprecated"              # no more patches; functions can still be created
    CREATE_BLOCKED = "create blocked"      # CreateFunction with it fails
    UPDATE_BLOCKED = "update blocked"      # neither create nor update works


@dataclass(frozen=True, slots=True, kw_only=True)
class Runtime:
    name: str                               # the identifier, "python3.12"
    language: str                           # python, nodejs, java, dotnet, ruby, go, provided
    python_version: tuple[int, int] | None = None
    deprecated_on: date | None = None
    block_create_on: date | None = None
    block_update_on: date | None = None
    successor: str | None = None            # what AWS suggests moving to

    @property
    def is_python(self) -> bool:
        return self.language == "python"

    def status(self, today: date) -> RuntimeStatus:
        if self.block_update_on is not None and today >= self.block_update_on:
            return RuntimeStatus.UPDATE_BLOCKED
        if self.block_create_on is not None and today >= self.block_create_on:
            return RuntimeStatus.CREATE_BLOCKED
        if self.deprecated_on is not None and today >= self.deprecated_on:
            return RuntimeStatus.DEPRECATED
        return RuntimeStatus.SUPPORTED


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _python(minor: int, dep: str | None = None, create: str | None = None,
            update: str | None = None) -> Runtime:
    return Runtime(name=f"python3.{minor}", language="python", python_version=(3, minor),
                   deprecated_on=_d(dep) if dep else None,
                   block_create_on=_d(create) if create else None,
                   block_update_on=_d(update) if update else None,
                   successor=None if minor >= 13 else "python3.13")


def _rt(name: str, language: str, dep: str | None = None, create: str | None = None,
        update: str | None = None, successor: str | None = None) -> Runtime:
    return Runtime(name=name, language=language,
                   deprecated_on=_d(dep) if dep else None,
                   block_create_on=_d(create) if create else None,
                   block_update_on=_d(update) if update else None,
                   successor=successor)


_TABLE: tuple[Runtime, ...] = (
    # Python: lambda-python page (3.10-3.14); python3.9 from the runtimes page as AWS moved it
    # (deprecated 2025-12-15, create/update blocks pushed to 2027).
    _python(14, "2029-06-30", "2029-07-31", "2029-08-31"),
    _python(13, "2029-06-30", "2029-07-31", "2029-08-31"),
    _python(12, "2028-10-31", "2028-11-30", "2029-01-10"),
    _python(11, "2026-06-30", "2026-07-31", "2026-08-31"),
    _python(10, "2026-06-30", "2026-07-31", "2026-08-31"),
    _python(9, "2025-12-15", "2027-02-01", "2027-03-03"),
    _python(8, "2024-10-14", "2025-10-01", "2025-11-01"),
    _python(7, "2023-12-04", "2024-01-09", "2025-11-01"),
    _python(6, "2022-07-18", "2022-07-18", "2022-08-29"),
    Runtime(name="python2.7", language="python", python_version=(2, 7),
            deprecated_on=_d("2021-07-15"), block_create_on=_d("2021-07-15"),
            block_update_on=_d("2022-05-30"), successor="python3.13"),
    # Node.js
    _rt("nodejs24.x", "nodejs", "2028-04-30", None, "2028-07-01"),
    _rt("nodejs22.x", "nodejs", "2027-04-30", "2027-06-01", "2027-07-01"),
    _rt("nodejs20.x", "nodejs", "2026-04-30", "2026-08-31", None, "nodejs22.x"),
    _rt("nodejs18.x", "nodejs", "2025-09-01", "2025-10-01", "2025-11-01", "nodejs22.x"),
    _rt("nodejs16.x", "nodejs", "2024-06-12", "2025-10-01", "2025-11-01", "nodejs22.x"),
    _rt("nodejs14.x", "nodejs", "2023-12-04", "2024-07-09", "2025-11-01", "nodejs22.x"),
    _rt("nodejs12.x", "nodejs", "2023-03-31", "2023-03-31", "2023-04-30", "nodejs22.x"),
    _rt("nodejs10.x", "nodejs", "2021-07-30", "2021-07-30", "2022-02-14", "nodejs22.x"),
    _rt("nodejs8.10", "nodejs", "2020-03-06", "2020-03-06", "2020-03-06", "nodejs22.x"),
    _rt("nodejs6.10", "nodejs", "2019-08-12", "2019-08-12", "2019-08-12", "nodejs22.x"),
    _rt("nodejs4.3-edge", "nodejs", "2020-03-05", "2019-04-30", "2019-04-30", "nodejs22.x"),
    _rt("nodejs4.3", "nodejs", "2020-03-05", "2020-03-05", "2020-03-05", "nodejs22.x"),
    _rt("nodejs", "nodejs", "2016-10-31", "2016-10-31", "2016-10-31", "nodejs22.x"),
    # Java
    _rt("java25", "java", "2029-06-30", None, "2029-08-31"),
    _rt("java21", "java"),
    _rt("java17", "java"),
    _rt("java11", "java"),
    _rt("java8.al2", "java"),
    _rt("java8", "java", "2024-01-08", "2024-02-08", "2025-11-01", "java21"),
    # .NET
    _rt("dotnet10", "dotnet", "2028-11-14", None, "2029-01-15"),
    _rt("dotnet8", "dotnet"),
    _rt("dotnet7", "dotnet", "2024-05-14", "2024-05-14", "2024-05-14", "dotnet8"),
    _rt("dotnet6", "dotnet", "2024-11-12", "2025-10-01", "2025-11-01", "dotnet8"),
    _rt("dotnetcore3.1", "dotnet", "2023-04-03", "2023-04-03", "2023-05-03", "dotnet8"),
    _rt("dotnetcore2.1", "dotnet", "2022-01-05", "2022-01-05", "2022-04-13", "dotnet8"),
    _rt("dotnetcore2.0", "dotnet", "2019-05-30", "2019-05-30", "2019-05-30", "dotnet8"),
    _rt("dotnetcore1.0", "dotnet", "2019-06-27", "2019-07-30", "2019-07-30", "dotnet8"),
    # Ruby
    _rt("ruby3.4", "ruby", "2028-03-31", None, "2028-05-31"),
    _rt("ruby3.3", "ruby"),
    _rt("ruby3.2", "ruby"),
    _rt("ruby2.7", "ruby", "2023-12-07", "2024-01-09", "2025-11-01", "ruby3.4"),
    _rt("ruby2.5", "ruby", "2021-07-30", "2021-07-30", "2022-03-31", "ruby3.4"),
    # OS-only ("Not scheduled" for both on the OS-only runtimes page)
    _rt("provided.al2023", "provided"),
    _rt("provided.al2", "provided"),
    _rt("provided", "provided", "2024-01-08", "2024-02-08", "2025-11-01", "provided.al2023"),
    _rt("go1.x", "go", "2024-01-08", "2024-02-08", "2025-11-01", "provided.al2023"),
)

RUNTIMES: dict[str, Runtime] = {runtime.name: runtime for runtime in _TABLE}


def runtime_named(name: str) -> Runtime | None:
    return RUNTIMES.get(name)
