"""The front-end libraries we serve are the ones package.json pins, with their licences."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "backchannel" / "web" / "static" / "vendor"


def test_vendored_cytoscape_is_the_pinned_release() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["cytoscape"]
    locked = json.loads((ROOT / "package-lock.json").read_text())
    assert locked["packages"]["node_modules/cytoscape"]["version"] == pinned
    library = (VENDOR / "cytoscape.min.js").read_text(encoding="utf-8")
    assert f'"{pinned}"' in library
    assert "Permission is hereby granted" in (VENDOR / "cytoscape.LICENSE").read_text()


def test_static_files_ask_for_nothing_from_elsewhere() -> None:
    static = VENDOR.parent
    for path in [*static.glob("*.js"), *static.glob("*.css")]:
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, path.name
