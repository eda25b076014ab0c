"""YAML case files: load with problems located by file, line and path; dump losslessly.

Loading runs in three passes so that every problem is named where it is:
1. YAML syntax and duplicate keys, from the composed node tree (which keeps line marks);
2. structure and types, by the pydantic model (unknown fields, wrong types, bad dates,
   windows that end before they start);
3. cross-record integrity (duplicate ids, references to actors, engagements or sources
   that do not exist).
Each problem's path is mapped back to the line of the node it points at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from backchannel.errors import InvalidInputError, Problem
from backchannel.model.case import DEFER_INTEGRITY, Case, integrity_problems
from backchannel.risk.factors import judgement_problems
from backchannel.risk.framework import load_framework

try:  # the C loader is much faster on large files; fall back when libyaml is absent
    from yaml import CSafeDumper as _Dumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


Path_ = tuple[str | int, ...]


def load_case(path: str | Path) -> Case:
    """Read and validate one case file; raise ``InvalidInputError`` naming every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInputError(str(path), [Problem("", "file not found")]) from None
    except UnicodeDecodeError as exc:
        problem = Problem("", f"not UTF-8 text (byte {exc.start}): case files must be UTF-8")
        raise InvalidInputError(str(path), [problem]) from None
    return parse_case(text, source=str(path))


def parse_case(text: str, source: str = "<string>") -> Case:
    """Validate a case document given as YAML text; ``source`` names it in errors."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise InvalidInputError(
                source, [Problem("", "the file is empty; expected a case mapping")]
            )
        duplicates = _duplicate_keys(root, ())
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
    if not isinstance(data, dict):
        raise InvalidInputError(
            source, [Problem("", "expected a mapping with id, context and the record lists", 1)]
        )

    try:
        case = Case.model_validate(data, context={DEFER_INTEGRITY: True})
    except ValidationError as exc:
        raise InvalidInputError(source, _structure_problems(exc, root)) from None
    problems = [
        Problem(p.location, p.message, _line_of(root, _parse_location(p.location)))
        for p in [*integrity_problems(case), *judgement_problems(load_framework(), case.judgements)]
    ]
    if problems:
        raise InvalidInputError(source, problems)
    return case


def dump_case(case: Case) -> str:
    """The case as YAML text that ``parse_case`` reads back to an equal case."""
    document = case.model_dump(mode="json", exclude_none=True)
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of a case file, generated from the model."""
    schema = Case.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://backchannel.invalid/schema/case.json"
    return schema


# --- locating problems ------------------------------------------------------------------


def _duplicate_keys(node: yaml.Node, path: Path_) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        _format_location((*path, key)),
                        f"key {key!r} appears twice (first on line {seen[key]}); keep one",
                        line,
                    )
                )
            else:
                seen[key] = line
            problems.extend(_duplicate_keys(value_node, (*path, key)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems.extend(_duplicate_keys(item, (*path, index)))
    return problems


def _structure_problems(exc: ValidationError, root: yaml.Node) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        location: Path_ = tuple(error["loc"])
        problems.append(
            Problem(_format_location(location), _explain(error), _line_of(root, location))
        )
    return problems


def _explain(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field; check its spelling against `backchannel schema`"
    if kind == "missing":
        return "required field is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind in {"enum", "literal_error"}:
        return f"{message} (got {error.get('input')!r})"
    if "input" in error and not isinstance(error["input"], dict | list):
        return f"{message} (got {error['input']!r})"
    return message


def _format_location(location: Path_) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _parse_location(location: str) -> Path_:
    parts: list[str | int] = []
    for chunk in location.replace("[", ".[").split("."):
        if not chunk:
            continue
        if chunk.startswith("["):
            parts.append(int(chunk.strip("[]")))
        else:
            parts.append(chunk)
    return tuple(parts)


def _line_of(root: yaml.Node, location: Path_) -> int | None:
    """The 1-based line of the deepest node on ``location`` that exists in the file."""
    node = root
    line = root.start_mark.line + 1
    for part in location:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key_node, value_node in node.value:
                if key_node.value == part:
                    child = value_node
                    line = key_node.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line
