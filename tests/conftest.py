"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured) and the mirror."""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

from backchannel.datasets.designation_lists import LIST_DATASETS
from backchannel.model import Case
from backchannel.screening.index_store import INDEX_FOLDER
from backchannel.settings import Settings
from backchannel.store.service import CaseStore

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "src" / "backchannel" / "data" / "examples"
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE (``ci`` when unset, so that a plain
# ``pytest`` is as thorough as ``make test``). ``ci`` replays the same examples on every
# run (derandomize), so a failure on one machine is a failure on every machine, and sets
# no deadline: a 2-core machine shared with other work makes example times meaningless.
# ``dev`` is for the quick loop (``make test-fast``): a tenth of the examples, for the
# property tests that do not ask for a count of their own.
hypothesis_settings.register_profile(
    "ci",
    max_examples=100,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "dev",
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
HYPOTHESIS_PROFILES = ("ci", "dev")
_profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if _profile not in HYPOTHESIS_PROFILES:
    raise pytest.UsageError(
        f"HYPOTHESIS_PROFILE={_profile!r} is not a profile of this suite: "
        f"use one of {', '.join(HYPOTHESIS_PROFILES)}"
    )
hypothesis_settings.load_profile(_profile)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser ``browser`` (and ``slow``: each starts a
    server and drives Chromium), so ``-m "not browser"`` leaves them out.

    A test marked ``sqlite_only`` keeps only its SQLite run of ``database_url``: its
    outcome does not depend on the database, and a PostgreSQL run would double its time.
    """
    kept, dropped = [], []
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        callspec = getattr(item, "callspec", None)
        database = callspec.params.get("database_url") if callspec is not None else None
        if database == "postgresql" and item.get_closest_marker("sqlite_only"):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def mirror_path() -> Path | None:
    """The data mirror: BACKCHANNEL_MIRROR, else ../shared/data beside the repository."""
    configured = os.environ.get("BACKCHANNEL_MIRROR")
    candidate = Path(configured) if configured else REPO.parent / "shared" / "data"
    if not candidate.is_absolute():
        candidate = (REPO / candidate).resolve()
    return candidate if candidate.is_dir() else None


@pytest.fixture
def mirror() -> Path:
    """The real data mirror; tests that need it are skipped where it is absent."""
    path = mirror_path()
    if path is None:
        pytest.skip("no data mirror: set BACKCHANNEL_MIRROR or place ../shared/data")
    return path


def _postgres_url() -> str | None:
    return os.environ.get("BACKCHANNEL_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind; PostgreSQL gets its own schema per test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.sqlite'}"
        return
    base = _postgres_url()
    if not base:
        pytest.skip("PostgreSQL not configured: set BACKCHANNEL_TEST_DATABASE_URL")
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"bc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for a throw-away store with its own key file."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key=None,
        key_file=tmp_path / "keyring.json",
        user="tester",
        mirror=None,
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[CaseStore]:
    """An open case store on a fresh database."""
    opened = CaseStore.open(settings)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def example_cases() -> list[Case]:
    """The packaged example cases, parsed."""
    from backchannel.casefile import load_case

    files = sorted(EXAMPLES.glob("*.yaml"))
    assert files, f"no example cases in {EXAMPLES}"
    return [load_case(f) for f in files]


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with the cheapest parameters, so tests that add users stay fast.

    Production parameters cost about half a second per hash on a small machine, and the
    suite adds hundreds of users; the tests of the hashing itself opt out with the
    ``real_argon2`` marker and check the production parameters.
    """
    if request.node.get_closest_marker("real_argon2"):
        return
    from argon2 import PasswordHasher, Type

    from backchannel.auth import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(passwords, "_HASHER", cheap)
    passwords.dummy_hash.cache_clear()


#: The data sets a whole-case analysis reads: events, the conflict record, the lists.
ANALYSIS_DATASETS = ("ucdp-ged", "ucdp-acd", "un-sanctions", "ofac-sdn")


@pytest.fixture(scope="session")
def installed_analysis_inputs(tmp_path_factory: pytest.TempPathFactory, indexed_lists: Path) -> Any:
    """The real mirror's events, conflict record and designation lists, installed once per
    session into a private data folder and read as a case analysis reads them."""
    path = mirror_path()
    if path is None:
        pytest.skip("no data mirror: set BACKCHANNEL_MIRROR or place ../shared/data")
    from backchannel import datasets
    from backchannel.datasets.analysis_inputs import installed_inputs

    root = tmp_path_factory.mktemp("installed-inputs")
    settings = Settings(
        data_dir=root, database_url=None, secret_key=None, key_file=None, user="tester", mirror=None
    )
    install_indexed_lists(indexed_lists, root)
    datasets.pull(settings, [d for d in ANALYSIS_DATASETS if d not in LIST_DATASETS], mirror=path)
    return installed_inputs(settings)


def built_once_per_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """A folder that ``build`` fills once per test run, shared by every pytest-xdist worker.

    The workers' temporary folders sit side by side in one folder of the run; the first
    worker to ask builds there under an exclusive lock while the others wait for it, then
    everyone reads the same files. A build that raises leaves nothing marked complete, so
    the next worker to ask tries again (and fails the same way).
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / name
    complete = folder / ".complete"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not complete.exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                build(folder)
                complete.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


@pytest.fixture(scope="session")
def indexed_lists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the UN and OFAC lists pulled from the mirror and their screening
    index built, made once per test run; ``install_indexed_lists`` copies it.

    Building the index takes seconds; a copy of the folder keeps it current (it records
    its files by their place under the data folder), so a test that only needs the lists
    installed starts with the index built.
    """
    mirror = mirror_path()
    if mirror is None:
        pytest.skip("no data mirror: set BACKCHANNEL_MIRROR or place ../shared/data")

    def build(folder: Path) -> None:
        from backchannel import datasets
        from backchannel.datasets.screening_index_file import rebuild_index

        settings = Settings(data_dir=folder / "data", mirror=None)
        datasets.pull(settings, list(LIST_DATASETS), mirror=mirror)
        rebuild_index(settings, "a new folder", lambda _: None)

    return built_once_per_run(tmp_path_factory, "indexed-lists", build) / "data"


def install_indexed_lists(indexed_lists: Path, data_dir: Path) -> None:
    """Install the lists of ``indexed_lists`` and their index into ``data_dir``, as a
    pull followed by a first screening would leave them."""
    source = Settings(data_dir=indexed_lists, mirror=None).datasets_dir
    target = Settings(data_dir=data_dir, mirror=None).datasets_dir
    for dataset_id in LIST_DATASETS:
        shutil.copytree(source / dataset_id, target / dataset_id, dirs_exist_ok=True)
    shutil.copytree(indexed_lists / INDEX_FOLDER, data_dir / INDEX_FOLDER, dirs_exist_ok=True)


@dataclass(frozen=True)
class DemoRun:
    """``backchannel demo`` as run once for the whole test run: its briefs and its output."""

    output: Path
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def mirror_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The demo with PDF briefs, run once per test run with the mirror's data (or with the
    packaged content only where there is no mirror) into a private data folder.

    The demo writes six PDFs, seconds each: the tests that only read what it wrote share
    this one run instead of each running it.
    """
    from typer.testing import CliRunner

    from backchannel.cli import app, common

    mirror = mirror_path()

    def build(folder: Path) -> None:
        env = {
            "BACKCHANNEL_DATA_DIR": str(folder / "data"),
            "BACKCHANNEL_MIRROR": str(mirror) if mirror else None,
        }
        # The same 200 columns as every test's console (see wide_cli_console): this runs
        # before any test's own fixtures.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(common.out, "width", 200)
            patch.setattr(common.err, "width", 200)
            result = CliRunner().invoke(app, ["demo", "--output", str(folder / "out")], env=env)
        (folder / "exit_code").write_text(str(result.exit_code))
        (folder / "stdout.txt").write_text(result.stdout)
        (folder / "stderr.txt").write_text(result.stderr)

    folder = built_once_per_run(tmp_path_factory, "mirror-demo", build)
    return DemoRun(
        output=folder / "out",
        exit_code=int((folder / "exit_code").read_text()),
        stdout=(folder / "stdout.txt").read_text(),
        stderr=(folder / "stderr.txt").read_text(),
    )


@pytest.fixture(autouse=True)
def wide_cli_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line's consoles 200 columns wide in every test.

    Rich sizes a console from the terminal, and a pytest-xdist worker has none, so its
    width would depend on how the suite is run (80 under workers, the terminal's width
    otherwise): tests that read tables would pass or fail by the way they were started.
    """
    from backchannel.cli import common

    monkeypatch.setattr(common.out, "width", 200)
    monkeypatch.setattr(common.err, "width", 200)
