"""Benchmark: ``backchannel screen NAME`` from the command line, with the persisted index.

Installs the UN and OFAC lists from the mirror into a temporary data folder, then, in one
process:

- the baseline: what every ``screen NAME`` did before the index was persisted, in this
  process (so without the interpreter's start or any import): read the installed lists,
  build the index, screen one name;
- the same screening from the persisted index, in this process;
- ``backchannel screen NAME`` as a user runs it, through a subprocess: the first call
  (cold: no index yet, so it builds and writes it) and then warm calls (the index
  current, the files in the page cache), the median of several;
- the command with ``--list`` (the lists read and indexed on every call, as every call
  did before the index was persisted);
- the ratios of the baseline and of ``--list`` to the warm command, and what the command
  spends importing (``python -X importtime``), heaviest modules first.

Goal: the warm command under 1 s. Run:
``.venv/bin/python benchmarks/screen_cli.py [MIRROR] [NAME]``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from backchannel.datasets import pull
from backchannel.datasets.designation_lists import load_screening
from backchannel.screening.index_store import index_file, read_index
from backchannel.settings import Settings

WARM_RUNS = 7
GOAL_SECONDS = 1.0


def timed_command(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall time of a command and its standard error; fails loudly if the command does."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return elapsed, done.stderr


def import_times(command: list[str], env: dict[str, str]) -> list[tuple[int, str]]:
    """(cumulative microseconds, module) of the top-level imports of one run."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, module = line.split("|")
        if not cumulative.strip().isdigit() or module.startswith("   "):
            continue  # the column titles, and nested imports (counted in their parent)
        found.append((int(cumulative), module.strip()))
    return sorted(found, reverse=True)


def main() -> None:
    """Install the lists, time every way of screening one name, print the ratio."""
    mirror = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    name = sys.argv[2] if len(sys.argv) > 2 else "Al-Shabaab"
    script = Path(sys.executable).with_name("backchannel")
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), mirror=None)
        pull(settings, ["un-sanctions", "ofac-sdn"], mirror=mirror)
        env = {**os.environ, "BACKCHANNEL_DATA_DIR": folder}
        env.pop("BACKCHANNEL_MIRROR", None)

        started = time.perf_counter()
        built = load_screening(settings)
        expected = built.screen(name)
        baseline = time.perf_counter() - started
        print(f"{'baseline: read lists + build index + screen':48} {baseline:8.3f} s (in process)")

        command = [str(script), "screen", name, "--format", "json"]
        cold, notice = timed_command(command, env)
        print(f"{'backchannel screen NAME, cold (builds index)':48} {cold:8.3f} s")
        print(f"  stderr: {notice.splitlines()[0] if notice else ''}")

        started = time.perf_counter()
        loaded = read_index(index_file(settings.data_dir), settings.data_dir, max_age_days=30)
        answer = loaded.screen(name)
        in_process = time.perf_counter() - started
        same = [h.hit for h in answer.hits] == [h.hit for h in expected.hits]
        print(f"{'read persisted index + screen':48} {in_process:8.3f} s (in process)")
        print(f"  same hits as the lists: {same}; ratio {baseline / in_process:.1f}x")

        timed_command(command, env)  # once more, so that every file is in the page cache
        warm = [timed_command(command, env)[0] for _ in range(WARM_RUNS)]
        median = statistics.median(warm)
        print(
            f"{'backchannel screen NAME, warm (median of ' + str(WARM_RUNS) + ')':48} "
            f"{median:8.3f} s   (goal < {GOAL_SECONDS:.0f} s; min {min(warm):.3f}, "
            f"max {max(warm):.3f})"
        )
        lists = [
            settings.datasets_dir / "un-sanctions" / "un_consolidated.xml",
            settings.datasets_dir / "ofac-sdn" / "ofac_sdn.csv",
        ]
        without_index = [*command, *(part for path in lists for part in ("--list", str(path)))]
        unindexed, _ = timed_command(without_index, env)
        print(f"{'the same with --list (lists read, no index)':48} {unindexed:8.3f} s")
        print(f"ratio baseline / warm command: {baseline / median:.1f}x")
        print(f"ratio --list / warm command:   {unindexed / median:.1f}x")
        print(f"ratio cold / warm command:     {cold / median:.1f}x")

        imports = import_times(command, env)
        total = sum(cumulative for cumulative, _ in imports) / 1e6
        print(f"{'imports of the warm command (-X importtime)':48} {total:8.3f} s")
        for cumulative, module in imports[:8]:
            print(f"  {module:46} {cumulative / 1e6:8.3f} s")


if __name__ == "__main__":
    main()
