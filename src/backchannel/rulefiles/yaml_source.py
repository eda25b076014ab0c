"""YAML documents that remember where each value was written.

``parse_yaml`` composes the node tree (which keeps line marks), refuses invalid YAML and
duplicate keys (``yaml.safe_load`` silently keeps the last of two equal keys), and builds
the data from that same tree. Before building, it walks the tree once: values that cannot
be built (a date that does not exist, ``2021-02-30``) are refused with their path and line,
and so are documents whose aliases (``*name``) would expand past ``MAX_ALIAS_EXPANSION``
values (the "billion laughs"), refer to themselves, or nest deeper than ``MAX_DEPTH``.

The ``YamlDocument`` it returns maps any path inside the document, written
``rules[2].when[0].fact`` or as a tuple, to the line of the deepest node on that path that
exists in the file. So a pydantic ``ValidationError`` (``validate``) and any check made
after it (``problem``, ``locate``) are reported as ``file:line: at path: message``,
through ``InvalidInputError``.

A bracketed part that is not a number, ``factors[rf4]``, names the item of a list whose
``id`` is ``rf4``: loaders that locate problems by id rather than by position get lines too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from backchannel.errors import InvalidInputError, Problem

try:  # the C loader is much faster on large files; fall back when libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: A path inside a document: mapping keys, list positions, or list item ids (as text).
Location = tuple[str | int, ...]
ModelT = TypeVar("ModelT", bound=BaseModel)
#: Turns one entry of a pydantic ``ValidationError`` into a problem's message.
Explain = Callable[[ErrorDetails], str]

_PART = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")

#: Most values that aliases (``*name``) may add to a document. An alias stands for a whole
#: copy of what its anchor names, so a few lines of nested aliases can stand for billions
#: of values, which every walk of the tree and the validation after it would visit. No
#: packaged file uses aliases, and a hand-written file that reuses a block (a list of
#: sources, an actor's aliases) adds thousands of values at most: 250,000 leaves a wide
#: margin above that, while counting stops as soon as it is passed (a refused file costs a
#: few milliseconds) and an accepted file's later walks and validation stay under a second.
MAX_ALIAS_EXPANSION = 250_000
#: Deepest nesting of mappings and lists: real files nest a handful of levels, and the walks
#: of the tree recurse once per level (libyaml itself stops at 1,000, past Python's stack).
MAX_DEPTH = 100
#: The YAML tags whose values are built by more than taking the text as it is written.
_SCALAR_KINDS = {
    "tag:yaml.org,2002:timestamp": "date or time",
    "tag:yaml.org,2002:int": "integer",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:binary": "base64 value",
}
#: Longest offending value quoted back in a problem's message.
_SHOWN_LENGTH = 80


def shown(value: Any) -> str:
    """``value`` as a message quotes it: its ``repr``, cut short when long."""
    text = repr(value)
    if len(text) > _SHOWN_LENGTH:
        return f"{text[: _SHOWN_LENGTH - 5]}... ({len(str(value))} characters)"
    return text


def explain_error(error: ErrorDetails) -> str:
    """A validation error in words: pydantic's message, with the offending value if short."""
    if error["type"] == "extra_forbidden":
        return "unknown key; check its spelling against the other entries of the file"
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] != "missing" and not isinstance(value, dict | list):
        return f"{message} (got {shown(value)})"
    return message


@dataclass(frozen=True)
class YamlDocument:
    """One parsed YAML file: its data, its node tree and the name problems give it.

    ``root`` is ``None`` (and ``data`` too) when the file holds no document at all.
    """

    source: str
    data: Any
    root: yaml.Node | None = field(default=None, repr=False, compare=False)

    def line_of(self, location: str | Location) -> int | None:
        """The 1-based line of the deepest node on ``location`` that exists in the file."""
        if self.root is None:
            return None
        path = parse_location(location) if isinstance(location, str) else location
        return _line_of(self.root, path)

    def problem(self, location: str | Location, message: str) -> Problem:
        """A problem at ``location``, with its line: for checks made after validation."""
        text = location if isinstance(location, str) else format_location(location)
        return Problem(text, message, self.line_of(location))

    def locate(self, problems: Iterable[Problem]) -> list[Problem]:
        """The problems, each without a line given the line of its location."""
        return [
            p if p.line is not None else replace(p, line=self.line_of(p.location)) for p in problems
        ]

    def refuse(self, problems: Iterable[Problem]) -> NoReturn:
        """Raise ``InvalidInputError`` naming this file and every problem with its line."""
        raise InvalidInputError(self.source, self.locate(problems))

    def mapping(self, expected: str = "a mapping") -> Mapping[str, Any]:
        """The document's top-level mapping, or refuse the file saying what was ``expected``."""
        if isinstance(self.data, dict):
            return self.data
        if self.root is None:
            self.refuse([Problem("", f"the file is empty; expected {expected}")])
        self.refuse([self.problem("", f"expected {expected} at the top of the file")])

    def validate(
        self,
        model: type[ModelT],
        *,
        context: Mapping[str, Any] | None = None,
        explain: Explain = explain_error,
    ) -> ModelT:
        """The document validated by ``model``; refuse it with every error located."""
        data = self.mapping()
        try:
            return model.model_validate(data, context=dict(context) if context else None)
        except ValidationError as error:
            self.refuse(self.validation_problems(error, explain))

    def validation_problems(
        self, error: ValidationError, explain: Explain = explain_error
    ) -> list[Problem]:
        """Every entry of a validation error as a problem with its dotted path and line."""
        problems = []
        for entry in error.errors(include_url=False):
            location: Location = tuple(entry["loc"])
            problems.append(
                Problem(format_location(location), explain(entry), self.line_of(location))
            )
        return problems


def parse_yaml(text: str, source: str = "<string>") -> YamlDocument:
    """Parse YAML text named ``source``; refuse invalid YAML and duplicate keys with lines."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return YamlDocument(source, None, None)
        problems = _TreeCheck(loader, root).problems(source)
        problems += duplicate_keys(root)
        if problems:
            raise InvalidInputError(source, problems)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InvalidInputError(
            source, [Problem("", f"invalid YAML: {exc.problem}", line)]
        ) from None
    except yaml.YAMLError as exc:  # reader errors: characters YAML does not allow
        raise InvalidInputError(source, [Problem("", f"invalid YAML: {exc}")]) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # a value the tree check let through and its constructor still refused
        raise InvalidInputError(source, [Problem("", f"a value cannot be read: {exc}")]) from None
    finally:
        loader.dispose()
    return YamlDocument(source, data, root)


def read_yaml_file(path: str | Path, kind: str = "YAML files") -> YamlDocument:
    """Read and parse one file, named by its path; ``kind`` words the encoding error."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInputError(str(path), [Problem("", "file not found")]) from None
    except UnicodeDecodeError as exc:
        problem = Problem("", f"not UTF-8 text (byte {exc.start}): {kind} must be UTF-8")
        raise InvalidInputError(str(path), [problem]) from None
    return parse_yaml(text, source=str(path))


def read_packaged_yaml(relative: str) -> YamlDocument:
    """Parse a file shipped in the package, named without ``data/`` (``rules/stage.yaml``)."""
    text = resources.files("backchannel").joinpath(relative).read_text("utf-8")
    return parse_yaml(text, source=relative.removeprefix("data/"))


def read_rule_file(path: str | Path | None, packaged: str) -> YamlDocument:
    """The rule file at ``path``, or the packaged one when no path is given."""
    return read_packaged_yaml(packaged) if path is None else read_yaml_file(path, "rule files")


class _Refused(Exception):
    """The tree check stops: the document is refused with this one problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class _TreeCheck:
    """One walk of a composed tree, each node visited once however many aliases name it.

    The composer gives an alias the very node of its anchor, so the tree is a graph whose
    expanded size (every alias written out) is counted here without expanding it: each
    node's size is kept, and a node met again adds its size to the aliases' total.
    """

    def __init__(self, loader: Any, root: yaml.Node) -> None:
        self.loader = loader
        self.root = root
        self.sizes: dict[int, int] = {}
        self.open: set[int] = set()
        self.expanded = 0
        self.found: list[Problem] = []

    def problems(self, source: str) -> list[Problem]:
        """The values that cannot be built; ``InvalidInputError`` at once, naming ``source``,
        when the tree itself is refused (no other walk of it would end in time)."""
        try:
            self._size(self.root, (), 0)
        except _Refused as refused:
            raise InvalidInputError(source, [refused.problem]) from None
        return self.found

    def _refuse(self, path: Location, message: str) -> NoReturn:
        raise _Refused(Problem(format_location(path), message, _line_of(self.root, path)))

    def _size(self, node: yaml.Node, path: Location, depth: int) -> int:
        key = id(node)
        known = self.sizes.get(key)
        if known is not None:  # an alias: one more copy of what its anchor names
            self.expanded += known
            if self.expanded > MAX_ALIAS_EXPANSION:
                self._refuse(
                    path,
                    f"the aliases (*name) of this file expand to more than "
                    f"{MAX_ALIAS_EXPANSION:,} values; write the values out, or use fewer "
                    "aliases of aliases",
                )
            return known
        if key in self.open:
            self._refuse(path, "an alias (*name) refers to a mapping or list that contains it")
        if depth > MAX_DEPTH:
            # named by where the too-deep branch starts: its full path is as long as it is deep
            self._refuse(path[:3], f"mappings and lists nest more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.ScalarNode):
            self._check_scalar(node, path)
            self.sizes[key] = 1
            return 1
        self.open.add(key)
        size = 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                part = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
                size += self._size(key_node, (*path, part), depth + 1)
                size += self._size(value_node, (*path, part), depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                size += self._size(item, (*path, index), depth + 1)
        self.open.discard(key)
        self.sizes[key] = size
        return size

    def _check_scalar(self, node: yaml.ScalarNode, path: Location) -> None:
        kind = _SCALAR_KINDS.get(node.tag)
        if kind is None:
            return
        try:
            self.loader.yaml_constructors[node.tag](self.loader, node)
        except (ValueError, TypeError, OverflowError) as exc:
            # PyYAML reads 2021-02-30 as a date and only datetime refuses it, deep inside
            self.found.append(
                Problem(
                    format_location(path),
                    f"{shown(node.value)} is not a valid {kind}: {exc}",
                    node.start_mark.line + 1,
                )
            )


def duplicate_keys(node: yaml.Node, path: Location = ()) -> list[Problem]:
    """A problem, at the second occurrence, for every key written twice in one mapping."""
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        format_location((*path, key)),
                        f"key {key!r} appears twice (first on line {seen[key]}); keep one",
                        line,
                    )
                )
            else:
                seen[key] = line
            problems.extend(duplicate_keys(value_node, (*path, key)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems.extend(duplicate_keys(item, (*path, index)))
    return problems


def format_location(location: Location) -> str:
    """A path as text: ``("rules", 2, "when")`` is ``rules[2].when``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def parse_location(location: str) -> Location:
    """The path a location names: ``rules[2].when`` is ``("rules", 2, "when")``.

    A bracketed part that is not a number stays text: it names a list item by its id.
    """
    parts: list[str | int] = []
    for match in _PART.finditer(location):
        bracketed, plain = match.groups()
        if plain is not None:
            parts.append(plain)
        elif bracketed.isdigit():
            parts.append(int(bracketed))
        else:
            parts.append(bracketed)
    return tuple(parts)


def _line_of(root: yaml.Node, location: Location) -> int:
    node = root
    line = root.start_mark.line + 1
    for part in location:
        found = _child(node, part)
        if found is None:
            break
        node, line = found
    return line


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node, int] | None:
    """The node under ``node`` that ``part`` names, with the line it is written on."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == str(part):
                # the key's line: a nested block starts on the line after its key
                return value_node, key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        if isinstance(part, int):
            if 0 <= part < len(node.value):
                item = node.value[part]
                return item, item.start_mark.line + 1
            return None
        for item in node.value:
            if _has_id(item, part):
                return item, item.start_mark.line + 1
    return None


def _has_id(node: yaml.Node, identifier: str) -> bool:
    return isinstance(node, yaml.MappingNode) and any(
        key.value == "id" and isinstance(value, yaml.ScalarNode) and value.value == identifier
        for key, value in node.value
    )
