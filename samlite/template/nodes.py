"""Loaded template values that remember where they came from.

Mappings and sequences are dict and list subclasses, so every other module treats them as
plain values (jsonschema included); they also carry the Mark of themselves and of each of
their children, so any problem found at a path can point at its line and column
(the idea of cfn-lint's decode/node.py, with marks kept on the parent so ints, bools and
strings stay plain Python values).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from samlite.errors import Mark


class MappingNode(dict[str, Any]):
    __slots__ = ("key_marks", "mark", "value_marks")

    def __init__(self, items: Iterable[tuple[str, Any]] = (), *, mark: Mark) -> None:
        super().__init__(items)
        self.mark = mark
        self.key_marks: dict[str, Mark] = {}
        self.value_marks: dict[str, Mark] = {}

    def mark_of(self, key: str) -> Mark:
        """Where the value of `key` starts (or this mapping, when the key is absent)."""
        return self.value_marks.get(key, self.mark)

    def key_mark(self, key: str) -> Mark:
        return self.key_marks.get(key, self.mark)


class SequenceNode(list[Any]):
    __slots__ = ("item_marks", "mark")

    def __init__(self, items: Iterable[Any] = (), *, mark: Mark) -> None:
        super().__init__(items)
        self.mark = mark
        self.item_marks: list[Mark] = []

    def mark_of(self, index: int) -> Mark:
        if 0 <= index < len(self.item_marks):
            return self.item_marks[index]
        return self.mark


def mark_of(value: Any, default: Mark) -> Mark:
    """The mark a node carries itself, else `default`."""
    return getattr(value, "mark", None) or default


def mark_at(root: Any, path: Sequence[str | int], default: Mark) -> Mark:
    """The most precise mark for `path` under `root`: the deepest node the path reaches."""
    found = mark_of(root, default)
    node = root
    for step in path:
        if isinstance(node, Mapping) and isinstance(step, str) and step in node:
            if isinstance(node, MappingNode):
                found = node.mark_of(step)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            if isinstance(node, SequenceNode):
                found = node.mark_of(step)
            node = node[step]
        else:
            break
    return found


def key_mark_at(root: Any, path: Sequence[str | int], default: Mark) -> Mark:
    """Like mark_at, but for a mapping key at the end of `path` points at the key itself
    (for problems such as a misspelled property name)."""
    if not path:
        return mark_of(root, default)
    parent = root
    for step in path[:-1]:
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return mark_at(root, path, default)
    if isinstance(parent, MappingNode) and path[-1] in parent:
        return parent.key_mark(str(path[-1]))
    return mark_at(root, path, default)


def is_intrinsic(value: Any) -> bool:
    """A one-key mapping whose key is Ref, Condition or Fn::*: a value CloudFormation works
    out when the stack is created (so schemas accept it, and Globals merge it as a scalar)."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::"))


def dotted(path: Iterable[str | int]) -> str:
    """`Resources.Fn.Properties.Layers[0]`, the form problems print paths in."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
