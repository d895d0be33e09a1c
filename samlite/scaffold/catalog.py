"""The project templates `samlite init` ships, and the Lambda runtimes each can be written for.
Pure: the choices and their checks, no files.

A template ships one folder per language (templates/<name>/<language>/); a runtime is offered
when Lambda still supports it (dialects/runtime_ids.py) and the template has its language.
A language's variant is added by writing templates/<name>/<language>/ and naming the language
in the template's `languages` here: nothing else changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from samlite.dialects.runtime_ids import RUNTIMES, RuntimeStatus, runtime_named
from samlite.errors import UsageError

DEFAULT_RUNTIME = "python3.13"   # what `sam init` offers first for Python today
# The runtime a language's variant is made for unless --runtime names another (issue 23 chose
# nodejs22.x for Node.js, not the newest, nodejs24.x, which is offered too).
LANGUAGE_DEFAULTS = {"python": DEFAULT_RUNTIME, "nodejs": "nodejs22.x"}
# A CloudFormation stack name: samconfig.toml's stack_name and the template's description
# use the project's name (CloudFormation User Guide, "Stack name" constraints).
STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,127}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectTemplate:
    name: str                       # "hello-api", the folder under templates/
    summary: str                    # one line, as `samlite init` lists it
    languages: tuple[str, ...]      # the variants shipped: folders under templates/<name>/


PYTHON_AND_NODE = ("python", "nodejs")
TEMPLATES: tuple[ProjectTemplate, ...] = (
    ProjectTemplate(name="hello-api", languages=PYTHON_AND_NODE,
                    summary="an HTTP API route and a function URL"),
    ProjectTemplate(name="api-queue-worker", languages=PYTHON_AND_NODE,
                    summary="API → SQS queue → worker, with a dead-letter queue and partial "
                            "batch failures"),
    ProjectTemplate(name="s3-pipeline", languages=PYTHON_AND_NODE,
                    summary="an upload to a bucket is processed into a second bucket, with "
                            "shared code in a layer"),
    ProjectTemplate(name="scheduled-job", languages=PYTHON_AND_NODE,
                    summary="a ScheduleV2 cron in a time zone writes a report to a bucket"),
)
DEFAULT_TEMPLATE = TEMPLATES[0].name


def template_named(name: str) -> ProjectTemplate:
    for template in TEMPLATES:
        if template.name == name:
            return template
    known = ", ".join(t.name for t in TEMPLATES)
    raise UsageError(f"--template must be one of {known} (got {name!r})")


def runtimes_for(template: ProjectTemplate, *, today: date) -> tuple[str, ...]:
    """The runtimes `template` can be written for: Lambda still supports them and the
    template ships their language; by language in the template's order, newest first."""
    return tuple(
        name for language in template.languages
        for name in sorted((r.name for r in RUNTIMES.values()
                            if r.language == language
                            and r.status(today) is RuntimeStatus.SUPPORTED),
                           key=_version_key, reverse=True))


def check_runtime(template: ProjectTemplate, runtime: str, *, today: date) -> str:
    """The language folder to write `template` from for `runtime`, or a UsageError saying
    what can be chosen instead."""
    offered = runtimes_for(template, today=today)
    if runtime in offered:
        return runtime_named(runtime).language   # type: ignore[union-attr]
    known = runtime_named(runtime)
    if known is None:
        why = "not a Lambda runtime identifier"
    elif known.language not in template.languages:
        why = f"{template.name} ships no {known.language} variant yet"
    else:
        why = f"{known.status(today).value} on Lambda"
    raise UsageError(f"--runtime {runtime}: {why}; choose one of {', '.join(offered)}")


def check_name(name: str) -> str:
    if not STACK_NAME.fullmatch(name):
        raise UsageError(f"--name must start with a letter and hold only letters, digits and "
                         f"hyphens, at most 128 (a CloudFormation stack name; got {name!r})")
    return name


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))
