"""The error hierarchy and its two mappings: every error the product raises on purpose has
an exit code and an HTTP answer of its own kind, and the documented exit codes are the
code's."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import backchannel
import backchannel.cli
from backchannel.cli.common import (
    EXIT_CODE_MEANINGS,
    EXIT_CODES,
    exit_code_for,
    exit_code_of,
    listed_base,
)
from backchannel.cli.watch import EXIT_INCOMPLETE
from backchannel.errors import (
    BackchannelError,
    ConflictError,
    InvalidInputError,
    Problem,
    render_location,
)
from backchannel.web.errors import BACKCHANNEL_ERRORS, answer_for

README = Path(__file__).parents[1] / "README.md"


def _all_error_types() -> list[type[BackchannelError]]:
    """Every subclass of ``BackchannelError``, after importing every module of the package
    (a subclass defined in a module nobody imported yet would otherwise be missed)."""
    for module in pkgutil.walk_packages(backchannel.__path__, "backchannel."):
        importlib.import_module(module.name)

    def below(kind: type[BackchannelError]) -> Iterator[type[BackchannelError]]:
        for sub in kind.__subclasses__():
            yield sub
            yield from below(sub)

    return sorted(set(below(BackchannelError)), key=lambda k: f"{k.__module__}.{k.__name__}")


ERROR_TYPES = _all_error_types()


def test_the_walk_finds_errors_defined_outside_the_errors_module() -> None:
    modules = {kind.__module__ for kind in ERROR_TYPES}
    assert "backchannel.errors" in modules
    assert "backchannel.screening.index_store" in modules
    assert "backchannel.web.screening_index" in modules


@pytest.mark.parametrize("kind", ERROR_TYPES, ids=lambda k: k.__name__)
def test_every_error_has_its_own_exit_code(kind: type[BackchannelError]) -> None:
    # the root's code means "unexpected": an error raised on purpose must not land there
    assert listed_base(kind) is not BackchannelError, kind
    assert exit_code_of(kind) != EXIT_CODES[BackchannelError]
    assert exit_code_of(kind) in EXIT_CODE_MEANINGS


@pytest.mark.parametrize("kind", ERROR_TYPES, ids=lambda k: k.__name__)
def test_every_error_has_its_own_http_answer(kind: type[BackchannelError]) -> None:
    # the root's answer is the one for a failure nobody foresaw
    nearest = next(base for base in kind.__mro__ if base in BACKCHANNEL_ERRORS)
    assert nearest is not BackchannelError, kind
    status, _, _ = answer_for(kind)
    assert 400 <= status < 600


def test_every_class_of_the_errors_module_is_listed_by_both_surfaces_or_inherits() -> None:
    from backchannel import errors

    defined = [
        kind
        for _, kind in inspect.getmembers(errors, inspect.isclass)
        if issubclass(kind, BackchannelError) and kind.__module__ == errors.__name__
    ]
    for kind in defined:
        parents = [b for b in kind.__mro__[1:] if b in EXIT_CODES and b is not BackchannelError]
        if kind not in EXIT_CODES:
            assert parents, f"{kind.__name__} has no exit code of its own or of a parent"
        if kind not in BACKCHANNEL_ERRORS:
            assert parents, f"{kind.__name__} has no HTTP answer of its own or of a parent"


def test_a_conflict_has_its_code_on_both_surfaces() -> None:
    error = ConflictError("a user named 'amina' already exists")
    assert exit_code_for(error) == 12
    assert answer_for(ConflictError)[:2] == (409, "conflict")


def test_every_exit_code_in_use_is_documented() -> None:
    assert set(EXIT_CODES.values()) | {0, 2, EXIT_INCOMPLETE} <= set(EXIT_CODE_MEANINGS)


def _without_links(text: str) -> str:
    return re.sub(r"\s*\(see \[[^\]]*\]\([^)]*\)\)", "", text).strip()


def test_the_readme_exit_code_table_is_the_code_table() -> None:
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", README.read_text(encoding="utf-8"), re.M)
    assert rows, "README.md has no exit-code table"
    documented = {int(code): _without_links(meaning) for code, meaning in rows}
    assert documented == EXIT_CODE_MEANINGS


def test_the_cli_docstring_exit_code_table_is_the_code_table() -> None:
    doc = backchannel.cli.__doc__ or ""
    rows = re.findall(r"^(\d+)\s{2,}(.+?)\s*$", doc, re.M)
    assert {int(code): meaning for code, meaning in rows} == EXIT_CODE_MEANINGS


@pytest.mark.parametrize(
    ("problem", "parts"),
    [
        (Problem("body.counterparts[0]", "m"), ("body", "counterparts", 0)),
        (Problem("actors[2].kind", "m", 7), ("actors", 2, "kind")),
        (Problem("", "m"), ()),
        (Problem.at(("query", "activity"), "m"), ("query", "activity")),
    ],
)
def test_a_problem_gives_its_location_as_parts(
    problem: Problem, parts: tuple[str | int, ...]
) -> None:
    assert problem.parts == parts
    assert render_location(parts) == problem.location


def test_a_problem_moved_into_the_request_keeps_its_message_and_line() -> None:
    found = Problem("relations[3].target", "'ghost' is not the id of any actor", 12)
    moved = found.moved(("relations", 3), ("body",))
    assert (moved.parts, moved.location, moved.message, moved.line) == (
        ("body", "target"),
        "body.target",
        found.message,
        12,
    )
    # a problem of another record stays where it is
    assert found.moved(("relations", 1), ("body",)) == found
    # so does one whose name only starts like the prefix
    assert Problem("relations[30].target", "m").moved(("relations", 3), ("body",)).parts == (
        "relations",
        30,
        "target",
    )


def test_an_invalid_input_lists_each_problem_with_its_place() -> None:
    error = InvalidInputError("case.yaml", [Problem("context.country", "bad code", 4)])
    assert (
        error.message == "1 problem(s) in case.yaml:\n  case.yaml:4: at context.country: bad code"
    )
