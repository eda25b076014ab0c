"""The lock file pins every dependency inside pyproject.toml's bounds, and installs use it.

``constraints.txt`` is what ``make demo``, ``make test`` and CI install with; a lower bound
raised in ``pyproject.toml`` without re-running ``make lock``, or a venv built without the
constraints, fails here rather than on a deployment.
"""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        listed.extend(extra)
    return [Requirement(text) for text in listed]


def _pins() -> dict[str, list[Requirement]]:
    """Each locked package's pins; several when the version depends on the Python."""
    pins: dict[str, list[Requirement]] = {}
    for number, line in enumerate((ROOT / "constraints.txt").read_text().splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        pin = Requirement(text)
        specifiers = list(pin.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", (
            f"constraints.txt:{number}: expected NAME==VERSION, got {text!r}"
        )
        pins.setdefault(canonicalize_name(pin.name), []).append(pin)
    return pins


def _pinned_version(pin: Requirement) -> Version:
    return Version(next(iter(pin.specifier)).version)


def test_every_declared_dependency_is_pinned_inside_its_bounds() -> None:
    pins = _pins()
    for wanted in _declared():
        name = canonicalize_name(wanted.name)
        assert name in pins, f"{wanted.name} is declared but not in constraints.txt: make lock"
        for pin in pins[name]:
            assert wanted.specifier.contains(_pinned_version(pin), prereleases=True), (
                f"constraints.txt pins {pin} outside pyproject's {wanted}: make lock"
            )


def test_the_environment_was_installed_from_the_lock() -> None:
    pins = _pins()
    checked = 0
    for name, choices in pins.items():
        applicable = [p for p in choices if p.marker is None or p.marker.evaluate()]
        if not applicable:
            continue
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            continue  # an extra this environment did not install
        assert installed == _pinned_version(applicable[0]), (
            f"{name} {installed} is installed but constraints.txt pins "
            f"{applicable[0]}: install with `pip install -c constraints.txt`"
        )
        checked += 1
    assert checked > 50, "too few locked packages found installed to trust this check"


@pytest.mark.parametrize("target", [".venv/.runtime:", ".venv/.dev:"])
def test_make_installs_with_the_constraints(target: str) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split(f"$(VENV)/{target.removeprefix('.venv/')}", 1)[1].split("\n\n", 1)[0]
    assert "$(LOCK)" in recipe.splitlines()[0], "the target must be rebuilt when the lock changes"
    assert "-c $(LOCK)" in recipe
    assert "LOCK := constraints.txt" in makefile
