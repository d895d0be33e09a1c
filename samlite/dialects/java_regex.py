"""Java regular expressions, the language of REST API selectionPatterns: "API Gateway uses
Java pattern-style regexes for response mapping" ("Handle Lambda errors in API Gateway",
"Integration responses for REST APIs in API Gateway"). Pure. The one home of the regex
package, which reads the Java syntax Python's re lacks: \\p{...} classes, (?<name>...),
possessive quantifiers, atomic groups, nested classes and && intersections (its VERSION1
mode, where an inline flag in the middle of a pattern applies from there on, as in Java).

What still differs is translated first (java.util.regex.Pattern's documentation): without
UNICODE_CHARACTER_CLASS, Java's POSIX classes (\\p{Alpha}, \\p{Punct}...) and \\d, \\w, \\s
are ASCII only, and \\Q...\\E quotes text.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["JavaRegexError", "full_match", "pattern_error"]

# java.util.regex.Pattern's "POSIX character classes (US-ASCII only)", as set contents.
_POSIX = {
    "Lower": "a-z", "Upper": "A-Z", "ASCII": r"\x00-\x7F", "Alpha": "a-zA-Z",
    "Digit": "0-9", "Alnum": "a-zA-Z0-9", "Punct": r"!-/:-@\[-`{-~",
    "Graph": r"!-~", "Print": r"\x20-\x7E", "Blank": r" \t", "Cntrl": r"\x00-\x1F\x7F",
    "XDigit": "0-9a-fA-F", "Space": r" \t\n\x0B\f\r",
}
# Java's predefined classes, ASCII by default: (set contents, negated).
_PREDEFINED = {"d": ("0-9", False), "D": ("0-9", True), "w": ("a-zA-Z_0-9", False),
               "W": ("a-zA-Z_0-9", True), "s": (r" \t\n\x0B\f\r", False),
               "S": (r" \t\n\x0B\f\r", True)}


class JavaRegexError(ValueError):
    """A pattern Java's regex engine would not compile."""


def pattern_error(pattern: str) -> str | None:
    """Why `pattern` is not a Java regular expression, or None."""
    try:
        _compiled(pattern)
    except JavaRegexError as exc:
        return str(exc)
    return None


def full_match(pattern: str, text: str) -> bool:
    """Whether `pattern` matches all of `text` (Matcher.matches()); "." does not match line
    breaks, as in Java without DOTALL. Raises JavaRegexError for a pattern that does not
    compile."""
    return _compiled(pattern).fullmatch(text) is not None


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    """The compiled pattern (a regex.Pattern). The regex package is imported here, on first
    use: validating a template without response patterns, the common case, never pays for it."""
    import regex

    translated = _translated(pattern)
    try:
        return regex.compile(translated, flags=regex.VERSION1)
    except regex.error as exc:
        # A position in the translation would point the user at the wrong character.
        message = exc.msg if translated != pattern else str(exc)
        raise JavaRegexError(message) from None


def _escaped(text: str) -> str:
    import regex

    return str(regex.escape(text))


def _translated(pattern: str) -> str:
    """`pattern` with Java's ASCII classes and \\Q...\\E spelled out for the regex package."""
    out: list[str] = []
    depth = 0          # how many [ ... ] sets we are inside
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char != "\\" or i + 1 == len(pattern):
            if char == "[":
                depth += 1
            elif char == "]" and depth:
                depth -= 1
            out.append(char)
            i += 1
            continue
        letter = pattern[i + 1]
        if letter == "Q":
            end = pattern.find("\\E", i + 2)
            quoted = pattern[i + 2:] if end < 0 else pattern[i + 2:end]
            out.append(_escaped(quoted))
            i = len(pattern) if end < 0 else end + 2
            continue
        if letter in _PREDEFINED:
            contents, negated = _PREDEFINED[letter]
            out.append(_set(contents, negated=negated, inside=depth > 0))
            i += 2
            continue
        if letter in "pP" and pattern.startswith("{", i + 2):
            close = pattern.find("}", i + 3)
            name = pattern[i + 3:close] if close > 0 else ""
            if name in _POSIX:
                out.append(_set(_POSIX[name], negated=letter == "P", inside=depth > 0))
                i = close + 1
                continue
        out.append(pattern[i:i + 2])
        i += 2
    return "".join(out)


def _set(contents: str, *, negated: bool, inside: bool) -> str:
    # Inside a set a plain class joins the set's ranges; a negated one nests (VERSION1 sets).
    if inside and not negated:
        return contents
    return f"[{'^' if negated else ''}{contents}]"
