"""The README's measured figures are the ones the benchmarks wrote, rendered by the generator."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _generator() -> ModuleType:
    # benchmarks/ is a folder of scripts, not a package: load the generator from its file
    spec = importlib.util.spec_from_file_location(
        "readme_figures", ROOT / "benchmarks" / "readme_figures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _generator()


def test_readme_section_equals_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert generator.readme_section(readme) == generator.render_section(), (
        "README.md's measured figures differ from benchmarks/figures/*.json: "
        "run .venv/bin/python benchmarks/readme_figures.py"
    )


def test_every_benchmark_file_is_quoted() -> None:
    section = generator.render_section()
    for path in (ROOT / "benchmarks" / "figures").glob("*.json"):
        name = json.loads(path.read_text(encoding="utf-8"))["benchmark"]
        assert f"| `{name}` |" in section


def _write(folder: Path, name: str, document: object) -> None:
    (folder / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")


def test_a_line_names_benchmark_figure_value_machine_and_day(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "speed",
        {
            "benchmark": "speed",
            "machine": "x86_64, 2 cores, Python 3.11.7",
            "measured": "2026-12-04",
            "figures": {"events_per_second": 205000.0, "lists": {"un": 0.25, "count": 1003}},
        },
    )
    lines = generator.render_section(tmp_path).splitlines()
    assert lines[0] == generator.BEGIN and lines[-1] == generator.END
    rows = [line for line in lines if line.startswith("| `speed`")]
    assert rows == [
        "| `speed` | `events_per_second` | 205,000 | x86_64, 2 cores, Python 3.11.7 | 2026-12-04 |",
        "| `speed` | `lists.un` | 0.25 | x86_64, 2 cores, Python 3.11.7 | 2026-12-04 |",
        "| `speed` | `lists.count` | 1,003 | x86_64, 2 cores, Python 3.11.7 | 2026-12-04 |",
    ]


def test_update_rewrites_only_the_section(tmp_path: Path) -> None:
    figures = tmp_path / "figures"
    figures.mkdir()
    _write(
        figures,
        "b",
        {"benchmark": "b", "machine": "m", "measured": "2026-12-04", "figures": {"x": 1}},
    )
    readme = tmp_path / "README.md"
    readme.write_text(
        f"# title\n\nbefore\n\n{generator.BEGIN}\nstale\n{generator.END}\n\nafter\n",
        encoding="utf-8",
    )
    assert generator.update_readme(readme, figures) is True
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# title\n\nbefore\n\n") and text.endswith("\n\nafter\n")
    assert "stale" not in text and "| `b` | `x` | 1 | m | 2026-12-04 |" in text
    assert generator.update_readme(readme, figures) is False


def test_a_file_without_its_machine_is_refused_by_name(tmp_path: Path) -> None:
    _write(tmp_path, "bad", {"benchmark": "bad", "measured": "2026-12-04", "figures": {}})
    with pytest.raises(generator.FiguresError, match=r"bad\.json: field 'machine' is missing"):
        generator.render_section(tmp_path)


def test_a_readme_without_markers_is_refused() -> None:
    with pytest.raises(generator.FiguresError, match="no <!-- figures:begin -->"):
        generator.readme_section("# backchannel\n")
