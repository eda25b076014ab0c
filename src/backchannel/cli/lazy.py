"""Command groups whose commands are imported when they run, not when the program starts.

Importing every command module (and through them pandas, Ibis, SQLAlchemy, the data-set
manifest...) takes about a second; ``backchannel screen NAME`` needs almost none of it.
``lazy_group`` makes a Typer group class that knows its commands by name and by where
they are defined (``"package.module:attribute"``), and imports a module only when one of
its commands is asked for: to run it, to complete it, or to list it in the help.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

__all__ = ["lazy_group"]

Loader = Callable[[], Any]


class _LazyCommands(MutableMapping[str, Any]):
    """Commands by name, each loaded on first access, in the order they were declared."""

    def __init__(self, loaders: dict[str, Loader]) -> None:
        self._loaders = loaders
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            self._loaded[name] = self._loaders[name]()
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaders[name] = lambda: command
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaders[name]
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaders)

    def __len__(self) -> int:
        return len(self._loaders)


def _attribute(place: str) -> Any:
    module, _, attribute = place.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _command_loader(place: str) -> Loader:
    """A loader of one function registered as a command, as ``app.command()`` would."""

    def load() -> Any:
        single = typer.Typer(add_completion=False)  # completion belongs to the top only
        single.command()(_attribute(place))
        return typer.main.get_command(single)

    return load


def _group_loader(name: str, place: str) -> Loader:
    """A loader of a Typer app added as a group, as ``app.add_typer(..., name=name)``."""

    def load() -> Any:
        group = typer.main.get_group(_attribute(place))  # a group, without completion options
        group.name = name
        return group

    return load


def lazy_group(commands: dict[str, str], groups: dict[str, str]) -> type[TyperGroup]:
    """A Typer group class with these commands (name: place of the function) and groups
    (name: place of the Typer app), each imported on first use."""
    loaders = {name: _command_loader(place) for name, place in commands.items()}
    loaders.update({name: _group_loader(name, place) for name, place in groups.items()})

    class LazyGroup(TyperGroup):
        def __init__(self, **attrs: Any) -> None:
            super().__init__(**attrs)
            eager = dict(self.commands)
            lazy = _LazyCommands(dict(loaders))
            for name, command in eager.items():
                lazy[name] = command
            self.commands = lazy

    return LazyGroup
