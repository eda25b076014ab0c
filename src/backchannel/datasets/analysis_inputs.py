"""What a case's analysis reads from the installed data: events (with what each event file
covers), the UCDP armed conflicts, designation lists, the EWP predictors and the evidence
panel's files.

Every input is optional. What is not installed is left out, and the analysis names it as a
missing input with the command that installs it. The command line (``assess``, the demo)
and the web workspace read them through here, so both analyse a case alike.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from backchannel.datasets.designation_lists import LIST_DATASETS
from backchannel.datasets.freshness import DataAge, installed_data_ages
from backchannel.datasets.listing import file_path, file_paths, installed_dataset
from backchannel.datasets.manifest import EWP_PREDICTORS
from backchannel.datasets.records import Status
from backchannel.datasets.screening_index_file import indexed_screening
from backchannel.dialogue.evidence import EvidenceSources
from backchannel.errors import NotFoundError
from backchannel.events.coverage import FileExtent
from backchannel.events.parquet import load_events
from backchannel.events.readers import read_events
from backchannel.events.schema import combine_event_tables
from backchannel.events.ucdp_conflicts import ConflictYear, read_armed_conflicts
from backchannel.risk.forecast.predictors import load_predictors
from backchannel.screening.screen import Screening
from backchannel.settings import Settings

#: The evidence panel's files: (field of EvidenceSources, data set id, file name).
EVIDENCE_FILES = (
    ("termination_dyad", "ucdp-termination", "ucdp-term-dyad-3-2021.xlsx"),
    ("termination_conflict", "ucdp-termination", "ucdp-term-acd-3-2021.xlsx"),
    ("peace_agreements", "ucdp-peace-agreements", "ucdp-peace-agreements-221.xlsx"),
    ("dyadic", "ucdp-dyadic", "ucdp-dyadic-251.csv"),
    ("pax", "pax", "pax_all_agreements_data_v6.csv"),
    ("ushmm_factors", "ushmm-tools", "all_factors_3.csv"),
)
EVIDENCE_DATASETS = tuple(dict.fromkeys(dataset for _, dataset, _ in EVIDENCE_FILES))
#: How the installed GED is named where an analysis cites its event source.
INSTALLED_GED = "installed UCDP GED"
#: The monthly GED candidate events, read with the yearly release when pulled.
CANDIDATE_GED = "ucdp-ged-candidate"
#: The Armed Conflict Dataset file: data set id and file name.
ACD_FILE = ("ucdp-acd", "ucdp-prio-acd-251.csv")

_log = logging.getLogger(__name__)


def _event_files(settings: Settings, files: list[Path] | None) -> tuple[list[Path], bool]:
    """The event files to read, and whether they are the pulled GED."""
    if files:
        return files, False
    ingested = sorted((settings.data_dir / "events").glob("*.parquet"))
    if ingested:
        return ingested, False
    try:
        pulled = file_paths(settings, "ucdp-ged")
    except NotFoundError:
        raise NotFoundError(
            "no event data: run `backchannel events ingest FILE`, or "
            "`backchannel data pull ucdp-ged` (with --mirror DIR when offline), "
            "or pass --events"
        ) from None
    # The monthly candidate events carry on where the yearly release ends (same layout,
    # their own ids): read together, the newest months are watched too. ACLED is not mixed
    # in: it codes many of the same events, so adding it would count them twice.
    with contextlib.suppress(NotFoundError):
        pulled += file_paths(settings, CANDIDATE_GED)
    return pulled, True


def _read_event_files(files: list[Path]) -> pa.Table:
    tables = [
        load_events(file) if file.suffix == ".parquet" else read_events(file).events
        for file in files
    ]
    return combine_event_tables(tables)


def installed_events(settings: Settings, files: list[Path] | None = None) -> pa.Table:
    """Events from ``files``, else the ingested Parquet files, else the pulled GED (with
    the monthly candidate events when they are pulled too).

    ``NotFoundError`` (saying how to get some) when there are none.
    """
    return _read_event_files(_event_files(settings, files)[0])


def installed_event_extents(settings: Settings) -> dict[str, FileExtent]:
    """What each file of the pulled GED covers, by the ``source_file`` its events carry
    (the file's absolute path); empty when GED is not installed or is damaged."""
    record = installed_dataset(settings, "ucdp-ged")
    if not record.installed or record.status is Status.DAMAGED:
        return {}
    folder = settings.datasets_dir / record.id
    return {str((folder / f.name).absolute()): f.extent for f in record.files}


def installed_conflicts(settings: Settings) -> tuple[ConflictYear, ...] | None:
    """The UCDP/PRIO armed conflicts when the data set is installed, else ``None``."""
    try:
        path = file_path(settings, *ACD_FILE)
    except NotFoundError:
        return None
    return tuple(read_armed_conflicts(path))


def installed_predictors(settings: Settings) -> pd.DataFrame | None:
    """The EWP predictor table when installed; the assessment runs without it otherwise."""
    try:
        path = file_path(settings, "ewp", EWP_PREDICTORS)
    except NotFoundError:
        return None
    return load_predictors(path).frame


def installed_evidence_sources(settings: Settings) -> EvidenceSources | None:
    """The evidence files installed, or ``None`` when none is."""
    found: dict[str, Path] = {}
    for attribute, dataset, name in EVIDENCE_FILES:
        try:
            found[attribute] = file_path(settings, dataset, name)
        except NotFoundError:
            continue
    return EvidenceSources(**found) if found else None


def installed_screening(
    settings: Settings, notice: Callable[[str], None] = _log.info
) -> Screening | None:
    """The installed designation lists indexed for screening, or ``None`` when none is.

    They come from the persisted screening index, rebuilt (``notice`` is told why) when
    it is missing or stale, so an analysis after the first reads them in a fraction of
    a second.
    """
    try:
        return indexed_screening(settings, notice)
    except NotFoundError:
        return None


@dataclass(frozen=True)
class AnalysisInputs:
    """The installed inputs of a case's analysis; ``None`` for each that is not installed.

    ``event_extents`` gives what each event file covers, by the ``source_file`` of its
    events (what ``events.coverage.event_coverage`` takes); files not in it, such as
    ingested Parquet, are of unknown extent. ``conflicts`` holds the UCDP/PRIO Armed
    Conflict Dataset rows (for ``events.ucdp_conflicts.active_conflicts``). ``data_ages``
    are the installed data sets these came from, with their publication dates and ages.
    """

    events: pa.Table | None
    event_source: str
    screening: Screening | None
    predictors: pd.DataFrame | None
    evidence_sources: EvidenceSources | None
    event_extents: Mapping[str, FileExtent] = field(default_factory=dict)
    conflicts: tuple[ConflictYear, ...] | None = None
    data_ages: tuple[DataAge, ...] = ()

    def missing(self) -> list[str]:
        """The inputs that are not installed, by name."""
        present = {
            "events": self.events,
            "designation lists": self.screening,
            "EWP predictors": self.predictors,
            "evidence panel files": self.evidence_sources,
        }
        return [name for name, value in present.items() if value is None]


def installed_inputs(
    settings: Settings, lists: Callable[[], Screening | None] | None = None
) -> AnalysisInputs:
    """Every installed input of an analysis (seconds: call it once and keep the result).

    ``lists`` gives the designation lists when the caller holds them already (the web
    keeps one copy for its screening page too); by default they are read here.
    """
    events: pa.Table | None = None
    extents: dict[str, FileExtent] = {}
    pulled_ged = False
    try:
        files, pulled_ged = _event_files(settings, None)
    except NotFoundError:
        pass
    else:
        events = _read_event_files(files)
        extents = installed_event_extents(settings) if pulled_ged else {}
    return AnalysisInputs(
        events=events,
        event_source=INSTALLED_GED if events is not None else "",
        screening=lists() if lists is not None else installed_screening(settings),
        predictors=installed_predictors(settings),
        evidence_sources=installed_evidence_sources(settings),
        event_extents=extents,
        conflicts=installed_conflicts(settings),
        data_ages=analysis_data_ages(settings, pulled_events=events is not None and pulled_ged),
    )


def reads_pulled_ged(settings: Settings, files: list[Path] | None = None) -> bool:
    """Whether the events an analysis reads (``files``, else the ingested or pulled ones)
    are the pulled GED."""
    try:
        return _event_files(settings, files)[1]
    except NotFoundError:
        return False


def analysis_data_ages(settings: Settings, *, pulled_events: bool) -> tuple[DataAge, ...]:
    """The publication dates and ages of the installed data sets an analysis reads: the
    pulled GED and its candidate events when they are the events read (``pulled_events``),
    the armed conflicts, the designation lists, the EWP predictors and the evidence
    panel's files."""
    events = ["ucdp-ged", CANDIDATE_GED] if pulled_events else []
    used = [*events, ACD_FILE[0], *LIST_DATASETS, "ewp"]
    return installed_data_ages(settings, [*used, *EVIDENCE_DATASETS])
