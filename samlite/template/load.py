"""Read a YAML or JSON template into nodes that carry their Mark. Reads the file, nothing else.

PyYAML's C parser does the scanning (fast), our constructors build MappingNode/SequenceNode
with marks, turn CloudFormation's short-form tags into their long form (`!GetAtt A.B` ->
{"Fn::GetAtt": ["A", "B"]}), report duplicate keys (cfn-flip silently keeps the last one) and
keep `2010-09-09` a string. cfn-flip stays for format conversion only (see convert.py).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samlite.errors import Mark, Problem, UnreadableFile
from samlite.template.nodes import MappingNode, SequenceNode
from samlite.template.yaml_import import yaml

# CloudFormation's short forms; `!Ref` and `!Condition` have no "Fn::" prefix.
SHORT_TAGS = (
    "Ref", "Condition", "GetAtt", "Sub", "If", "Join", "Select", "Split", "FindInMap",
    "Equals", "And", "Or", "Not", "Base64", "Cidr", "GetAZs", "ImportValue", "Transform",
    "Length", "ToJsonString", "ForEach",
)

try:  # the C parser; the pure-Python one is the same API, only slower
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


@dataclass(frozen=True, slots=True)
class LoadedTemplate:
    path: Path
    name: str                       # the file name as problems print it
    root: MappingNode
    problems: tuple[Problem, ...]   # duplicate keys, unknown tags, shape of the top level
    size_bytes: int
    # (logical id, document): the local OpenAPI file of an API's DefinitionUri /
    # BodyS3Location, as loaded (includes.py reads them; intrinsics are not evaluated)
    definition_files: tuple[tuple[str, Any], ...] = ()
    included_files: tuple[Path, ...] = ()    # every file includes.py read (or tried to)
    # whether some mapping has an Fn::Transform key, as the loader saw; None: not known
    has_transform: bool | None = None
    # the same for Fn::Sub or Fn::FindInMap (SAM's rules walk every resource for them)
    has_sub_or_find_in_map: bool | None = None

    def definition_file(self, logical_id: str) -> Any | None:
        return next((doc for lid, doc in self.definition_files if lid == logical_id), None)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """One loader per file: it collects problems while constructing."""

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text)
        self.file = file
        self.problems: list[Problem] = []
        self.saw_transform = False
        self.saw_sub_or_find_in_map = False
        # Whether a merge key (`<<:`) can be in the text at all: `<<` plain, or its tag spelt
        # out (`!!merge`, `!<tag:yaml.org,2002:merge>`), or put together from a %TAG
        # directive or a %-escape. Without one, no mapping is scanned for it.
        self.may_merge = "<<" in text or "merge" in text or "%" in text
        # The YAML 1.1 tag of each scalar, worked out once per distinct value: a template
        # repeats its keys and values (500 resources: 14,000 scalars, 800 distinct), and a
        # C-level cache spares the parser a Python call for each repeat.
        self.resolve = functools.lru_cache(maxsize=None)(super().resolve)
        self._built: dict[yaml.Node, Any] = {}
        self._building: set[yaml.Node] = set()

    def dispose(self) -> None:
        super().dispose()
        del self.resolve   # the cache refers back to this loader: no cycle left behind

    def mark(self, node: yaml.Node) -> Mark:
        return _mark_at(self.file, node.start_mark)

    def get_single_data(self) -> Any:
        """PyYAML's C parser composes the node tree; `build` turns it into values."""
        node = self.get_single_node()
        return None if node is None else self.build(node)

    def build(self, node: yaml.Node) -> Any:
        """The value of `node`. A plain string, map, sequence or CloudFormation tag is built
        here, without PyYAML's per-node bookkeeping (construct_object's state and checks);
        other YAML types (ints, booleans, `!!binary`, `!!set`...) go through PyYAML's own
        constructors. An alias is the same node object as its anchor, so it is built once."""
        tag = node.tag
        if tag == _STR_TAG and node.__class__ is yaml.ScalarNode:
            return node.value
        built = self._built.get(node)
        if built is not None:
            return built
        scalar = _SCALAR_CONSTRUCTORS.get(tag)
        if scalar is not None and node.__class__ is yaml.ScalarNode:
            built = scalar(self, node)   # an int, a bool...: what construct_object would call
        elif tag in (_MAP_TAG, _SEQ_TAG) or tag[:1] == "!":
            if node in self._building:   # an anchor used inside itself: PyYAML's own error
                raise yaml.constructor.ConstructorError(
                    None, None, "found unconstructable recursive node", node.start_mark)
            self._building.add(node)
            if tag == _MAP_TAG:
                built = _construct_mapping(self, node)
            elif tag == _SEQ_TAG:
                built = _construct_sequence(self, node)
            else:
                built = _construct_tag(self, tag[1:], node)
            self._building.discard(node)
        else:
            built = self.construct_object(node, deep=True)
        self._built[node] = built
        return built


# YAML 1.1 timestamps would turn `AWSTemplateFormatVersion: 2010-09-09` into a date.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


# A Mark per key and value (~15,000 in a 500-resource template), made by setting its slots
# directly: the frozen dataclass's __init__ sets each field through object.__setattr__ in
# Python (~370 ns a Mark against ~220 ns). The same class, equal and hashed alike.
_new = object.__new__
_set_file = Mark.file.__set__       # type: ignore[attr-defined]
_set_line = Mark.line.__set__       # type: ignore[attr-defined]
_set_column = Mark.column.__set__   # type: ignore[attr-defined]


def _mark_at(file: str, start: yaml.Mark) -> Mark:
    """Our Mark (lines and columns from 1) for PyYAML's (from 0)."""
    mark = _new(Mark)
    _set_file(mark, file)
    _set_line(mark, start.line + 1)
    _set_column(mark, start.column + 1)
    return mark


# Likewise a MappingNode (~3,300) made by setting its slots, without its Python __init__.
_new_dict = dict.__new__
_set_mapping_mark = MappingNode.mark.__set__                  # type: ignore[attr-defined]
_set_key_marks = MappingNode.key_marks.__set__                # type: ignore[attr-defined]
_set_value_marks = MappingNode.value_marks.__set__            # type: ignore[attr-defined]


def _new_mapping(mark: Mark) -> MappingNode:
    """An empty MappingNode at `mark`, as MappingNode(mark=mark) makes it."""
    mapping = _new_dict(MappingNode)
    _set_mapping_mark(mapping, mark)
    _set_key_marks(mapping, {})
    _set_value_marks(mapping, {})
    return mapping


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"

# PyYAML's constructors of scalar types that return their value (not a generator filled in
# later, as maps, lists and sets are): called directly, they give what construct_object
# would, without its bookkeeping (~500 ints in the benchmark's template).
_SCALAR_CONSTRUCTORS = {
    f"tag:yaml.org,2002:{name}": _BaseLoader.yaml_constructors[f"tag:yaml.org,2002:{name}"]
    for name in ("null", "bool", "int", "float")
}


# Keys the loader notes as it meets them, so later steps can skip a walk of the whole tree
# when a template has none: one set lookup a key, a cost it already paid for Fn::Transform.
_NOTED_KEYS = frozenset({"Fn::Transform", "Fn::Sub", "Fn::FindInMap"})


def _note(loader: _Loader, key: str) -> None:
    if key == "Fn::Transform":
        loader.saw_transform = True
    else:
        loader.saw_sub_or_find_in_map = True


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> MappingNode:
    # The hot path of loading: plain strings are taken straight from the node, and marks are
    # built inline (a 7,000-line template has ~15,000 of them; a call each cost ~1 ms more).
    if loader.may_merge:
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                loader.flatten_mapping(node)
                break
    file = loader.file
    build = loader.build
    scalar = yaml.ScalarNode
    new, set_file, set_line, set_column = _new, _set_file, _set_line, _set_column
    mapping = _new_mapping(_mark_at(file, node.start_mark))
    key_marks = mapping.key_marks
    value_marks = mapping.value_marks
    for key_node, value_node in node.value:
        if key_node.__class__ is scalar:
            key = str(key_node.value)   # keys are text in CloudFormation: `200:` is "200"
        else:
            key = json.dumps(loader.construct_object(key_node, deep=True), default=str)
        start = key_node.start_mark
        key_mark = new(Mark)
        set_file(key_mark, file)
        set_line(key_mark, start.line + 1)
        set_column(key_mark, start.column + 1)
        if key in _NOTED_KEYS:
            _note(loader, key)
        if key in mapping:
            first = key_marks[key]
            loader.problems.append(Problem(
                code="E0002", at=key_mark,
                message=f"duplicate key {key!r} (first defined at line {first.line}); "
                        "CloudFormation would keep only one of them"))
        key_marks[key] = key_mark
        if value_node.tag == _STR_TAG and value_node.__class__ is scalar:
            mapping[key] = value_node.value
        else:
            value = mapping[key] = build(value_node)
            if value.__class__ is MappingNode or value.__class__ is SequenceNode:
                value_marks[key] = value.mark   # its own mark: the same place, no second Mark
                continue
        start = value_node.start_mark
        value_mark = value_marks[key] = new(Mark)
        set_file(value_mark, file)
        set_line(value_mark, start.line + 1)
        set_column(value_mark, start.column + 1)
    return mapping


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> SequenceNode:
    file = loader.file
    build = loader.build
    sequence = SequenceNode(mark=loader.mark(node))
    append = sequence.append
    append_mark = sequence.item_marks.append
    for child in node.value:
        item = build(child)
        append(item)
        if item.__class__ is MappingNode or item.__class__ is SequenceNode:
            append_mark(item.mark)   # its own mark: the same place
        else:
            append_mark(_mark_at(file, child.start_mark))
    return sequence


def _construct_tag(loader: _Loader, suffix: str, node: yaml.Node) -> MappingNode:
    mark = loader.mark(node)
    name = suffix
    if name not in SHORT_TAGS:
        loader.problems.append(Problem(
            code="E0003", at=mark,
            message=f"unknown tag !{suffix}; CloudFormation's short forms are "
                    + ", ".join(f"!{t}" for t in SHORT_TAGS[:17])))
    key = name if name in ("Ref", "Condition") else f"Fn::{name}"
    if key in _NOTED_KEYS:
        _note(loader, key)
    if node.__class__ is yaml.ScalarNode:
        value: Any = node.value   # what construct_scalar returns for a scalar
        if name == "GetAtt" and isinstance(value, str):
            resource, _, attribute = value.partition(".")
            value = SequenceNode([resource, attribute], mark=mark)
            value.item_marks = [mark, mark]
    elif node.__class__ is yaml.SequenceNode:
        value = _construct_sequence(loader, node)
    else:
        value = _construct_mapping(loader, node)
    result = _new_mapping(mark)
    result[key] = value
    result.key_marks[key] = mark
    result.value_marks[key] = mark
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_Loader.add_multi_constructor("!", _construct_tag)


def read_text(path: Path) -> str:
    """The file's text, or UnreadableFile saying why (missing, a folder, binary, not UTF-8)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise UnreadableFile(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise UnreadableFile(f"{path}: is a folder, not a template file") from exc
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot be read ({exc.strerror})") from exc
    if b"\x00" in data[:8192]:
        raise UnreadableFile(f"{path}: is a binary file, not a YAML or JSON template")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"{path}: is not UTF-8 text (byte {exc.start} cannot be decoded)") from exc


def load_template(path: Path, *, name: str | None = None) -> LoadedTemplate:
    """Load one template file. Syntax errors and a wrong top level come back as problems
    (exit 1); a file that cannot be read at all raises UnreadableFile (exit 2)."""
    text = read_text(path)
    return parse_template(text, name=name or str(path), path=path)


def parse_template(text: str, *, name: str, path: Path | None = None) -> LoadedTemplate:
    top = Mark(name, 1, 1)
    empty = MappingNode(mark=top)
    size = len(text.encode("utf-8"))

    def failed(*problems: Problem) -> LoadedTemplate:
        return LoadedTemplate(path or Path(name), name, empty, problems, size)

    if not text.strip():
        return failed(Problem(code="E0004", at=top, message="the template is empty"))
    loader = _Loader(text, name)
    try:
        root = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        return _json_or_syntax_error(text, name, exc, failed)
    except yaml.YAMLError as exc:
        return failed(Problem(code="E0001", at=top, message=f"not valid YAML: {exc}"))
    except RecursionError:
        return failed(Problem(code="E0005", at=top,
                              message="the template is nested too deeply to read"))
    finally:
        loader.dispose()
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, list) else f"a {type(root).__name__} value"
        return failed(*loader.problems, Problem(
            code="E1001", at=top,
            message=f"a template must be a mapping with a Resources section, got {kind}"))
    return LoadedTemplate(path or Path(name), name, root, tuple(loader.problems), size,
                          has_transform=loader.saw_transform,
                          has_sub_or_find_in_map=loader.saw_sub_or_find_in_map)


def _json_or_syntax_error(text, name, exc, failed):  # type: ignore[no-untyped-def]
    """YAML's parser rejects a few valid JSON files (tabs as indentation): try JSON before
    reporting YAML's own error at its line and column."""
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as jexc:
            at = Mark(name, jexc.lineno, jexc.colno)
            return failed(Problem(code="E0001", at=at, message=f"not valid JSON: {jexc.msg}"))
        except RecursionError:
            return failed(Problem(code="E0005", at=Mark(name),
                                  message="the template is nested too deeply to read"))
        root = _nodes_without_marks(data, Mark(name))
        if isinstance(root, MappingNode):
            return LoadedTemplate(Path(name), name, root, (), len(text.encode()))
    mark = exc.problem_mark or exc.context_mark
    at = Mark(name, mark.line + 1, mark.column + 1) if mark else Mark(name)
    what = exc.problem or exc.context or "syntax error"
    return failed(Problem(code="E0001", at=at, message=f"not valid YAML: {what}"))


def _nodes_without_marks(value: Any, mark: Mark) -> Any:
    if isinstance(value, dict):
        node = MappingNode(mark=mark)
        for key, child in value.items():
            node[str(key)] = _nodes_without_marks(child, mark)
        return node
    if isinstance(value, list):
        seq = SequenceNode((_nodes_without_marks(v, mark) for v in value), mark=mark)
        seq.item_marks = [mark] * len(seq)
        return seq
    return value
