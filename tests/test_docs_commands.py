"""Every ``backchannel`` command the README and docs/ show in a code block exists.

Each command line of a fenced code block is cut down to its command path (``backchannel
screen case``) and the long options it spells (``--activities``); the path's ``--help``
must succeed and name every one of those options. A usage line may list alternatives with
``|`` (``forecast backtest|countries|build``, ``--once|--every``): each is checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from backchannel.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^\s*(```|~~~)")
# What may stand before the program on a line: a prompt, a cron schedule, a systemd key,
# environment assignments and a path to the installed script.
COMMAND_LINE = re.compile(
    r"^\s*(?:\$\s+)?(?:ExecStart=|(?:[\d*/,-]+\s+){5})?"
    r"(?:[A-Z][A-Z0-9_]*=\S*\s+)*(?:\S*/)?backchannel[ \t]+(?P<rest>\S.*)$"
)
# Where the command ends: a shell comment, a redirection or a pipe.
COMMAND_END = re.compile(r"\s+(?:#|\d?>|\|\s)")
LONG_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")

runner = CliRunner()


@dataclass
class Usage:
    """One command path as the docs spell it, with the options and places they use."""

    path: tuple[str, ...]
    options: set[str] = field(default_factory=set)
    places: list[str] = field(default_factory=list)


def documented_lines(document: Path) -> list[tuple[str, str]]:
    """(place, command text) for every command line inside a fenced code block.

    A line that starts with white space right after a command line continues it (the
    README's usage lines wrap their options that way).
    """
    found: list[tuple[str, str]] = []
    inside = False
    for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            inside = not inside
            continue
        if not inside:
            continue
        place = f"{document.relative_to(ROOT)}:{number}"
        match = COMMAND_LINE.match(line)
        if match:
            found.append((place, COMMAND_END.split(match["rest"], maxsplit=1)[0]))
        elif found and line[:1].isspace() and line.strip().startswith("["):
            previous_place, text = found[-1]
            if previous_place.rsplit(":", 1)[1] == str(number - 1):
                found[-1] = (place, f"{text} {line.strip()}")
    return found


def command_paths(text: str) -> list[tuple[str, ...]]:
    """The subcommand paths a command line names (several when it lists alternatives).

    Each word is resolved as the group itself resolves it, so a group that takes a value
    in place of a subcommand (``screen NAME``) leads to the command that runs it; a word
    that is neither raises ``AssertionError`` naming it.
    """
    paths: list[tuple[str, ...]] = [()]
    for token in text.split():
        if token.startswith(("-", "[")):
            break
        if not isinstance(_resolve(paths[0]), TyperGroup):
            break
        paths = [(*path, _subcommand(path, name)) for path in paths for name in token.split("|")]
    return paths


def _subcommand(path: tuple[str, ...], word: str) -> str:
    group = _resolve(path)
    try:
        name, _, _ = group.resolve_command(typer.Context(group), [word])
    except typer.TyperException as error:
        raise AssertionError(f"no command {word!r} under {' '.join(path) or 'the root'}") from error
    assert name is not None
    return str(name)


def _resolve(path: tuple[str, ...]) -> Any:
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.get_command(typer.Context(command), name)
        assert command is not None, f"no command {' '.join(path)}"
    return command


def documented_usages() -> dict[tuple[str, ...], Usage]:
    """Every distinct command path of the docs, with the options spelt with it."""
    usages: dict[tuple[str, ...], Usage] = {}
    for document in DOCUMENTS:
        for place, text in documented_lines(document):
            options = {option for spelt in LONG_OPTION.findall(text) for option in spelt.split("|")}
            for path in command_paths(text):
                usage = usages.setdefault(path, Usage(path))
                usage.options |= options
                usage.places.append(place)
    return usages


def test_the_docs_show_commands_at_all() -> None:
    usages = documented_usages()
    assert ("assess",) in usages
    assert ("screen", "decide") in usages
    assert ("serve",) in usages
    assert "--workers" in usages[("serve",)].options


def test_the_extractor_reads_usage_lines() -> None:
    assert command_paths("forecast backtest|countries|build") == [
        ("forecast", "backtest"),
        ("forecast", "countries"),
        ("forecast", "build"),
    ]
    assert command_paths('screen "Harakat al-Shabaab" --format json') == [("screen", "name")]
    with pytest.raises(AssertionError, match="no command"):
        command_paths("case frobnicate FILE")


@pytest.mark.parametrize(
    "usage", list(documented_usages().values()), ids=lambda usage: " ".join(usage.path) or "root"
)
def test_documented_command_exists_with_its_options(usage: Usage) -> None:
    result = runner.invoke(app, [*usage.path, "--help"], env={"COLUMNS": "240", "NO_COLOR": "1"})
    assert result.exit_code == 0, f"{usage.places}: {result.output}"
    help_options = set(LONG_OPTION.findall(result.output))
    missing = sorted(usage.options - help_options - {"--help"})
    assert not missing, f"backchannel {' '.join(usage.path)} has no {missing} ({usage.places})"
