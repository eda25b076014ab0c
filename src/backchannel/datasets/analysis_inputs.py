"""What a case's analysis reads from the installed data: events, designation lists, the EWP
predictors and the evidence panel's files.

Every input is optional. What is not installed is left out, and the analysis names it as a
missing input with the command that installs it. The command line (``assess``, the demo)
and the web workspace read them through here, so both analyse a case alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from backchannel.datasets.designation_lists import load_screening
from backchannel.datasets.install import file_path, file_paths
from backchannel.datasets.manifest import EWP_PREDICTORS
from backchannel.dialogue.evidence import EvidenceSources
from backchannel.errors import NotFoundError
from backchannel.events.parquet import load_events
from backchannel.events.readers import read_events
from backchannel.events.schema import combine_event_tables
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


def installed_events(settings: Settings, files: list[Path] | None = None) -> pa.Table:
    """Events from ``files``, else the ingested Parquet files, else the pulled GED.

    ``NotFoundError`` (saying how to get some) when there are none.
    """
    if not files:
        files = sorted((settings.data_dir / "events").glob("*.parquet"))
    if not files:
        try:
            files = file_paths(settings, "ucdp-ged")
        except NotFoundError:
            raise NotFoundError(
                "no event data: run `backchannel events ingest FILE`, or "
                "`backchannel data pull ucdp-ged` (with --mirror DIR when offline), "
                "or pass --events"
            ) from None
    tables = [
        load_events(file) if file.suffix == ".parquet" else read_events(file).events
        for file in files
    ]
    return combine_event_tables(tables)


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
    for field, dataset, name in EVIDENCE_FILES:
        try:
            found[field] = file_path(settings, dataset, name)
        except NotFoundError:
            continue
    return EvidenceSources(**found) if found else None


def installed_screening(settings: Settings) -> Screening | None:
    """The installed designation lists indexed for screening, or ``None`` when none is."""
    try:
        return load_screening(settings)
    except NotFoundError:
        return None


@dataclass(frozen=True)
class AnalysisInputs:
    """The installed inputs of a case's analysis; ``None`` for each that is not installed."""

    events: pa.Table | None
    event_source: str
    screening: Screening | None
    predictors: pd.DataFrame | None
    evidence_sources: EvidenceSources | None

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
    try:
        events: pa.Table | None = installed_events(settings)
    except NotFoundError:
        events = None
    return AnalysisInputs(
        events=events,
        event_source=INSTALLED_GED if events is not None else "",
        screening=lists() if lists is not None else installed_screening(settings),
        predictors=installed_predictors(settings),
        evidence_sources=installed_evidence_sources(settings),
    )
