"""The csv-module event reader as it stood at a pinned commit, loaded from git history.

The ingest benchmark times the product's reader against the one it replaced. Rather than
keep a second copy of that reader in the tree, this loads its two modules (``readers``
and ``columns``) from the repository's history into a throw-away package, with the one
import between them pointed at the loaded copy. Everything else it imports (errors, the
event schema) is the product's own, unchanged since.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

#: The last commit with the csv-module reader (the record splitter came after it).
BASELINE_COMMIT = "93bf2983731f7dcfbf9c5611139d73fea2ad8fb5"
_REPO = Path(__file__).resolve().parents[1]
_PACKAGE = "csv_module_baseline"
_MODULES = {
    "readers": "src/backchannel/events/readers.py",
    "columns": "src/backchannel/events/columns.py",
}
_OWN_IMPORT = "from backchannel.events import columns as col"


def _source(path: str) -> str:
    try:
        shown = subprocess.run(
            ["git", "-C", str(_REPO), "show", f"{BASELINE_COMMIT}:{path}"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SystemExit(
            f"the baseline reader is read from git history ({BASELINE_COMMIT[:10]}:{path}) "
            f"and could not be: {exc}. Run the benchmark in a clone with its history."
        ) from exc
    return shown.stdout


def load_baseline_reader() -> ModuleType:
    """The old ``readers`` module, importable and callable (``read_events`` and the rest)."""
    folder = Path(tempfile.mkdtemp(prefix="baseline-reader-")) / _PACKAGE
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for name, path in _MODULES.items():
        text = _source(path)
        if name == "readers":
            if _OWN_IMPORT not in text:
                raise SystemExit(f"{path} at {BASELINE_COMMIT[:10]} no longer imports its columns")
            text = text.replace(_OWN_IMPORT, f"from {_PACKAGE} import columns as col")
        (folder / f"{name}.py").write_text(text)
    sys.path.insert(0, str(folder.parent))
    return importlib.import_module(f"{_PACKAGE}.readers")
