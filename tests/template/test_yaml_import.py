"""PyYAML imported through samlite: its pure reader still rejects what YAML forbids, and
no other code is handed the stand-in for the pattern whose compiling samlite puts off."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from samlite.template.yaml_import import NON_PRINTABLE


def run_fresh(code: str) -> str:
    """`code`'s output in a new interpreter, where samlite imports yaml first."""
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.mark.parametrize(("case", "text"), [
    ("a bell character", "a: '\\x07'"),
    ("a lone surrogate", "a: '\\ud800'"),
])
def test_the_pure_python_reader_still_rejects_non_printable_characters(
        case: str, text: str) -> None:
    code = ("import samlite.template.load, yaml\n"
            "try:\n"
            f"    yaml.load({text!r}.encode().decode('unicode_escape', 'surrogatepass'),"
            " Loader=yaml.SafeLoader)\n"
            "except yaml.reader.ReaderError as exc:\n"
            "    print(exc.reason)\n")
    assert run_fresh(code) == "special characters are not allowed"


def test_other_code_compiling_the_pattern_gets_a_real_pattern() -> None:
    assert isinstance(re.compile(NON_PRINTABLE), re.Pattern)


def test_the_pattern_is_pyyamls_so_importing_yaml_compiles_none_of_it() -> None:
    # Fails when a PyYAML release writes the pattern otherwise: the ~3 ms come back.
    code = ("import samlite.template.load, yaml.reader, re; "
            "print(isinstance(yaml.reader.Reader.NON_PRINTABLE, re.Pattern))")
    assert run_fresh(code) == "False"


def test_the_stand_in_answers_as_the_compiled_pattern() -> None:
    code = ("import samlite.template.load, yaml.reader; "
            "print(yaml.reader.Reader.NON_PRINTABLE.search('ok\\x07').start())")
    assert run_fresh(code) == "2"
