"""YAML case files: load with problems located by file, line and path; dump losslessly.

Loading runs in three passes so that every problem is named where it is:
1. YAML syntax, duplicate keys, dates that do not exist and aliases that expand too far,
   from the composed node tree (which keeps line marks);
2. structure and types, by the pydantic model (unknown fields, wrong types, bad dates,
   times without a time zone, texts too long or holding a NUL character, windows that end
   before they start);
3. cross-record integrity (duplicate ids, references to actors, engagements or sources
   that do not exist).
Each problem's path is mapped back to the line of the node it points at; the reading and
the locating are the shared rule-file loader's (``rulefiles.yaml_source``), the wording of
structural problems is the case file's own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic_core import ErrorDetails

from backchannel.errors import Problem
from backchannel.model.case import DEFER_INTEGRITY, Case, integrity_problems
from backchannel.risk.factors import judgement_problems
from backchannel.risk.framework import load_framework
from backchannel.rulefiles.yaml_source import YamlDocument, parse_yaml, read_yaml_file, shown

try:  # the C dumper is much faster on large files; fall back when libyaml is absent
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]


def load_case(path: str | Path) -> Case:
    """Read and validate one case file; raise ``InvalidInputError`` naming every problem."""
    return _validate(read_yaml_file(path, kind="case files"))


def parse_case(text: str, source: str = "<string>") -> Case:
    """Validate a case document given as YAML text; ``source`` names it in errors."""
    return _validate(parse_yaml(text, source))


def _validate(document: YamlDocument) -> Case:
    if document.root is None:
        document.refuse([Problem("", "the file is empty; expected a case mapping")])
    if not isinstance(document.data, dict):
        document.refuse(
            [Problem("", "expected a mapping with id, context and the record lists", 1)]
        )
    case = document.validate(Case, context={DEFER_INTEGRITY: True}, explain=_explain)
    problems = [*integrity_problems(case), *judgement_problems(load_framework(), case.judgements)]
    if problems:
        document.refuse(problems)
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


# --- wording problems ---------------------------------------------------------------------


def _explain(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field; check its spelling against `backchannel schema`"
    if kind == "missing":
        return "required field is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind in {"enum", "literal_error"}:
        return f"{message} (got {shown(error.get('input'))})"
    if "input" in error and not isinstance(error["input"], dict | list):
        return f"{message} (got {shown(error['input'])})"
    return message
