"""The README's set-up commands are what CI runs, so they cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    setup = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", setup, flags=re.S)


def test_readme_has_exactly_two_setup_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)


def test_ci_runs_the_readme_test_command() -> None:
    ci = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    [ci_command] = re.findall(r"^TEST_COMMAND='(.+)'$", ci, flags=re.M)
    assert ci_command == readme_commands()[1]


def test_readme_main_command_runs_up_in_a_real_sample_app() -> None:
    first = readme_commands()[0]
    [folder] = re.findall(r"cd (\S+) && samlite up$", first)
    assert (PROJECT / folder / "template.yaml").is_file()
