"""YAML documents that remember where each value was written.

``parse_yaml`` composes the node tree (which keeps line marks), refuses invalid YAML and
duplicate keys (``yaml.safe_load`` silently keeps the last of two equal keys), and builds
the data from that same tree. The ``YamlDocument`` it returns maps any path inside the
document, written ``rules[2].when[0].fact`` or as a tuple, to the line of the deepest node
on that path that exists in the file. So a pydantic ``ValidationError`` (``validate``) and
any check made after it (``problem``, ``locate``) are reported as ``file:line: at path:
message``, through ``InvalidInputError``.

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


def explain_error(error: ErrorDetails) -> str:
    """A validation error in words: pydantic's message, with the offending value if short."""
    if error["type"] == "extra_forbidden":
        return "unknown key; check its spelling against the other entries of the file"
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] != "missing" and not isinstance(value, dict | list):
        return f"{message} (got {value!r})"
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
        duplicates = duplicate_keys(root)
        if duplicates:
            raise InvalidInputError(source, duplicates)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InvalidInputError(
            source, [Problem("", f"invalid YAML: {exc.problem}", line)]
        ) from None
    except yaml.YAMLError as exc:  # reader errors: characters YAML does not allow
        raise InvalidInputError(source, [Problem("", f"invalid YAML: {exc}")]) from None
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
