"""Which templates and runtimes `samlite init` offers, and what it says about the others."""

from __future__ import annotations

from datetime import date

import pytest

from samlite.errors import UsageError
from samlite.scaffold.catalog import (
    DEFAULT_RUNTIME,
    LANGUAGE_DEFAULTS,
    TEMPLATES,
    check_name,
    check_runtime,
    runtimes_for,
    template_named,
)

TODAY = date(2026, 12, 1)
HELLO = template_named("hello-api")


def test_the_issue_s_four_templates_ship() -> None:
    assert {t.name for t in TEMPLATES} >= {"hello-api", "api-queue-worker", "s3-pipeline",
                                           "scheduled-job"}


def test_offered_runtimes_are_supported_python_then_node_newest_first() -> None:
    offered = runtimes_for(HELLO, today=TODAY)
    assert offered == ("python3.14", "python3.13", "python3.12", "nodejs24.x", "nodejs22.x")
    assert DEFAULT_RUNTIME in offered
    assert "python3.9" not in offered      # deprecated on Lambda by then
    assert "nodejs20.x" not in offered     # deprecated on Lambda on 2026-04-30


def test_every_template_ships_a_node_variant_made_for_nodejs22_by_default() -> None:
    assert all("nodejs" in t.languages for t in TEMPLATES)
    assert LANGUAGE_DEFAULTS["nodejs"] == "nodejs22.x"
    assert check_runtime(HELLO, "nodejs22.x", today=TODAY) == "nodejs"


@pytest.mark.parametrize(("case", "runtime", "message"), [
    ("a typo", "pyhton3.13", r"--runtime pyhton3.13: not a Lambda runtime identifier; "
                             r"choose one of python3.14, python3.13"),
    ("a language with no variant yet", "java21",
     r"--runtime java21: hello-api ships no java variant yet; choose one of python3.14, "
     r"python3.13, python3.12, nodejs24.x, nodejs22.x$"),
    ("a deprecated runtime", "python3.8", r"--runtime python3.8: update blocked on Lambda"),
    ("a deprecated Node.js runtime", "nodejs20.x",
     r"--runtime nodejs20.x: \w+ blocked on Lambda"),
])
def test_a_runtime_that_cannot_be_written_says_what_can(case: str, runtime: str,
                                                        message: str) -> None:
    with pytest.raises(UsageError, match=message):
        check_runtime(HELLO, runtime, today=TODAY)


def test_a_supported_runtime_picks_its_language_folder() -> None:
    assert check_runtime(HELLO, "python3.12", today=TODAY) == "python"


def test_an_unknown_template_lists_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"--template must be one of hello-api, "
                                         r"api-queue-worker, s3-pipeline, scheduled-job "
                                         r"\(got 'hello'\)"):
        template_named("hello")


@pytest.mark.parametrize("name", ["my app", "1app", "app_1", "a" * 129])
def test_a_name_must_be_a_stack_name(name: str) -> None:
    with pytest.raises(UsageError, match="--name must start with a letter"):
        check_name(name)
