"""Velocity as the engine reads it: a template that does not parse is found without
rendering it, with the parser's own line and column; one that parses renders its variables."""

from __future__ import annotations

import pytest

from samlite.dialects.velocity import JavaMap, VelocityError, java_values, parse_error, render

NOT_PARSING = [
    ("if without end", "#if($input.body) yes", "line 1, column 21: expected #else, #elseif "
                                               "or #end in if directive"),
    ("unclosed formal reference", '{"a": "${input.body"}', "line 1, column 20: expected } in "
                                                          "formal reference"),
    ("set on the second line", '{\n#set($a = )\n}', "line 2, column 11: expected expression "
                                                   "in assignment"),
    ("a stray end", "#end", "line 1, column 1: expected block element in template body"),
]


@pytest.mark.parametrize(("name", "template", "expected"), NOT_PARSING,
                         ids=[case[0] for case in NOT_PARSING])
def test_a_template_that_does_not_parse_says_where(name: str, template: str,
                                                   expected: str) -> None:
    found = parse_error(template)
    assert found is not None and found.startswith(expected), found
    with pytest.raises(VelocityError, match=expected.split(":")[0]):
        render(template, {})


def test_a_template_that_parses_renders_its_variables() -> None:
    template = '#set($n = $things.size()){"count": $n#if($things.containsKey("a")), "a": ' \
               '"$things.a"#end}'
    assert parse_error(template) is None
    assert render(template, {"things": java_values({"a": 1, "b": [2]})}) == \
        '{"count": 2, "a": "1"}'


def test_json_objects_answer_javas_map_methods() -> None:
    found = java_values({"a": {"b": 1}, "c": [{"d": 2}]})
    assert isinstance(found, JavaMap) and isinstance(found["a"], JavaMap)
    assert isinstance(found["c"][0], JavaMap)
    assert (found.size(), found.isEmpty(), found.keySet()) == (2, False, ["a", "c"])
