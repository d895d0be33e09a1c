"""No input may end in a traceback: Hypothesis mutates real corpus templates and the whole
validation pipeline must answer with problems, never an uncaught exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samlite.template.load import parse_template
from samlite.validation.pipeline import validate_loaded
from tests.conftest import CORPUS

TEMPLATES = [p.read_text(encoding="utf-8") for p in
             [*sorted(CORPUS.glob("sam-translator/*/*.yaml")),
              *sorted(CORPUS.glob("apps/*/template.y*ml"))]]

FRAGMENTS = ["!Ref", "!GetAtt X.", "!Sub '${", "!If [", "{", "}", "[", "]", ": ", "- ",
             "Fn::If", "Ref", "\t", "'", '"', "&a", "*a", "<<: *a", "!Select [99, []]",
             "!Join", "Condition: X", "DependsOn: [A, A]", "${AWS::NoValue}", "\n  ", "?",
             "0x1F", "1e999", ".inf", "~", "null", "\x85", "\u2028"]


@st.composite
def mutated_templates(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(TEMPLATES)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "insert", "cut", "indent"]))
        if action == "drop":
            del lines[at]
        elif action == "repeat":
            lines.insert(at, lines[at])
        elif action == "insert":
            col = draw(st.integers(0, len(lines[at])))
            piece = draw(st.sampled_from(FRAGMENTS) | st.text(max_size=6))
            lines[at] = lines[at][:col] + piece + lines[at][col:]
        elif action == "cut":
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
        else:
            lines[at] = " " * draw(st.integers(0, 6)) + lines[at].lstrip()
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated_templates())
def test_mutated_corpus_templates_give_problems_not_tracebacks(text: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    loaded = parse_template(text, name="template.yaml")
    result = validate_loaded(loaded, project_dir=Path("/nonexistent-samlite-project"))
    for problem in result.problems:
        assert problem.at.file == "template.yaml"
        assert problem.message


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text_gives_problems_not_tracebacks(text: str) -> None:
    loaded = parse_template(text, name="t.yaml")
    validate_loaded(loaded, project_dir=Path("/nonexistent-samlite-project"))


def test_intrinsic_loops_and_deep_nesting_end_in_problems() -> None:
    deep = "!Join ['', [" * 200 + "x" + "]]" * 200
    text = f"""
Conditions:
  A: !Condition B
  B: !Condition A
Resources:
  Q:
    Type: AWS::SQS::Queue
    Condition: A
    Properties:
      QueueName: {deep}
      DelaySeconds: !If [A, 1, 2]
"""
    result = validate_loaded(parse_template(text, name="t.yaml"), project_dir=Path("/x"))
    assert not result.is_valid


def test_a_ten_megabyte_template_is_checked_not_crashed() -> None:
    queues = "".join(f"  Q{i}:\n    Type: AWS::SQS::Queue\n    Metadata:\n"
                     f"      Note: {'x' * 2000}\n" for i in range(5_000))
    text = "Resources:\n" + queues
    assert len(text) > 10_000_000
    result = validate_loaded(parse_template(text, name="big.yaml"), project_dir=Path("/x"))
    assert any("1 MB" in p.message or "51,200" in p.message or "500" in p.message
               for p in result.problems)
