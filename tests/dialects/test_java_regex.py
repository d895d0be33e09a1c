"""selectionPatterns are Java regular expressions: what Java accepts compiles, and Java's
ASCII-only classes stay ASCII."""

import pytest

from samlite.dialects.java_regex import JavaRegexError, full_match, pattern_error


@pytest.mark.parametrize(("case", "pattern", "text"), [
    ("POSIX class", r"\p{Alpha}+Input.*", "BadInput: no name"),
    ("named group", r"(?<kind>Bad)Input.*", "BadInput: no name"),
    ("possessive quantifier", r"Bad++Input.*", "BadInput: no name"),
    ("atomic group", r"(?>Bad)Input.*", "BadInput: no name"),
    ("class intersection", r"[a-z&&[^aeiou]]+", "bcd"),
    ("nested class", r"[a-d[m-p]]+", "amp"),
    ("quoted text", r"\Q[400]\E.*", "[400] Bad request"),
    ("POSIX class inside a set", r"[\p{Digit}x]+", "4x0"),
    ("negated POSIX class", r"\P{Digit}+", "Bad"),
    ("flag in the middle", r"Bad(?i)INPUT", "Badinput"),
])
def test_java_patterns_match_as_in_java(case: str, pattern: str, text: str) -> None:
    assert pattern_error(pattern) is None
    assert full_match(pattern, text)


@pytest.mark.parametrize(("case", "pattern", "text"), [
    ("POSIX Alpha is ASCII only", r"\p{Alpha}+", "é"),
    ("POSIX Punct is ASCII only", r"\p{Punct}", "§"),
    ("\\d is ASCII only", r"\d", "٣"),
    ("\\w is ASCII only", r"\w", "é"),
    ("a match is a whole-string match", r"Bad", "BadInput"),
    ("dot does not match a line break", r".+", "Bad\nInput"),
])
def test_what_java_does_not_match(case: str, pattern: str, text: str) -> None:
    assert not full_match(pattern, text)


def test_unicode_properties_stay_unicode() -> None:
    assert full_match(r"\p{L}+", "é")


@pytest.mark.parametrize("pattern", ["(unclosed", "[a-", "*x"])
def test_a_pattern_java_rejects_is_an_error(pattern: str) -> None:
    assert pattern_error(pattern)
    with pytest.raises(JavaRegexError):
        full_match(pattern, "x")
