"""The evidence panel on the real data and the packaged example cases: the case matched to
its dyads, country and region, every figure recounted here another way, and nothing from
after the case start."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
from pathlib import Path

import pandas as pd
import pytest

from backchannel.dialogue.evidence import EvidenceSources, Scope, build_evidence_panel
from backchannel.dialogue.evidence.panel import EvidencePanel
from backchannel.dialogue.evidence.readers import read_termination_conflicts
from backchannel.dialogue.evidence.scope import UCDP_REGIONS, ucdp_region_of
from backchannel.errors import InvalidInputError, NotFoundError
from backchannel.model import Case
from tests.conftest import EXAMPLES

FILES = {
    "termination_dyad": Path("ucdp") / "ucdp-term-dyad-3-2021.xlsx",
    "termination_conflict": Path("ucdp") / "ucdp-term-acd-3-2021.xlsx",
    "peace_agreements": Path("ucdp") / "ucdp-peace-agreements-221.xlsx",
    "dyadic": Path("ucdp") / "ucdp-dyadic-251.csv",
    "pax": Path("pax") / "pax_all_agreements_data_v6.csv",
    "ushmm_factors": Path("ushmm") / "all_factors_3.csv",
}
FIGURE_KEYS = {"id", "question", "value", "numerator", "denominator", "scope", "scope_label",
               "period", "bears_on", "source", "note"}  # fmt: skip
FACTOR_KEYS = {"factor", "finding_count", "greater", "lesser", "no_mixed", "vote_count",
               "strength", "condition", "description"}  # fmt: skip


@pytest.fixture
def sources(mirror: Path) -> EvidenceSources:
    missing = [str(p) for p in FILES.values() if not (mirror / p).is_file()]
    if missing:
        pytest.skip(f"not in the data mirror: {', '.join(missing)}")
    return EvidenceSources(**{field: mirror / p for field, p in FILES.items()})


def example(name: str) -> Case:
    from backchannel.casefile import load_case

    return load_case(EXAMPLES / f"{name}.yaml")


def starting(case: Case, start: dt.date) -> Case:
    """The same case with its period starting on another day."""
    period = case.context.period.model_copy(update={"start": start, "end": None})
    context = case.context.model_copy(update={"period": period})
    return case.model_copy(update={"context": context})


@pytest.fixture
def colombia(sources: EvidenceSources) -> EvidencePanel:
    return build_evidence_panel(example("colombia-2012"), sources, counterparts=["farc"])


# --------------------------------------------------------------------------- independent counts


@functools.cache
def dyad_endings(mirror: Path) -> pd.DataFrame:
    """The dyad file's episode ends, read by pandas and openpyxl rather than our readers."""
    frame = pd.read_excel(mirror / FILES["termination_dyad"], engine="openpyxl")
    frame = frame[frame["outcome"].notna()].copy()
    year_end = pd.to_datetime(frame["year"].astype(str) + "-12-31")
    frame["end"] = pd.to_datetime(frame["ependdate"], errors="coerce").fillna(year_end)
    return frame


def test_colombia_finds_the_farc_dyad_and_its_history_before_the_talks(
    colombia: EvidencePanel, mirror: Path
) -> None:
    peace = colombia.figure("termination.dyad_peace_agreement.counterpart")
    assert peace.scope_label == "FARC\u2013Government of Colombia dyad"
    # FARC's 1964-68 and 1971 episodes faded out (low activity); the 1974 one went on
    # until 2015 and is not counted at the 2012 start
    assert (peace.numerator, peace.denominator) == (0, 2)
    endings = dyad_endings(mirror)
    farc = endings[(endings["dyad_id"] == 623) & (endings["end"] < "2012-02-01")]
    assert farc["outcome"].tolist() == [5, 5]


def test_figures_use_only_what_ended_before_the_case_start(
    sources: EvidenceSources, mirror: Path
) -> None:
    later = starting(example("colombia-2012"), dt.date(2016, 1, 1))
    panel = build_evidence_panel(later, sources, counterparts=["farc"])
    peace = panel.figure("termination.dyad_peace_agreement.counterpart")
    assert (peace.numerator, peace.denominator) == (1, 3)  # the 2015 peace agreement
    endings = dyad_endings(mirror)
    for start in (dt.date(2012, 2, 1), dt.date(2016, 1, 1)):
        shifted = build_evidence_panel(starting(later, start), sources)
        before = endings[endings["end"] < pd.Timestamp(start)]
        world = shifted.figure("termination.dyad_peace_agreement.world")
        assert (world.numerator, world.denominator) == ((before["outcome"] == 1).sum(), len(before))
        ceasefire = shifted.figure("termination.dyad_ceasefire.world")
        assert ceasefire.numerator == (before["outcome"] == 2).sum()


def test_colombia_country_and_region_figures_recounted(
    colombia: EvidencePanel, mirror: Path
) -> None:
    endings = dyad_endings(mirror)
    before = endings[endings["end"] < "2012-02-01"]
    located = before[before["gwno_loc"].astype(str).str.split(", ").map(lambda c: "100" in c)]
    country = colombia.figure("termination.dyad_peace_agreement.country")
    assert country.scope_label == "Colombia"
    assert (country.numerator, country.denominator) == ((located["outcome"] == 1).sum(), 14)
    americas = before[before["region"].astype(str).str.split(", ").map(lambda r: "5" in r)]
    region = colombia.figure("termination.dyad_peace_agreement.region")
    assert region.scope_label == "Americas (UCDP region)"
    assert (region.numerator, region.denominator) == ((americas["outcome"] == 1).sum(), 73)


def test_recurrence_read_from_ucdps_recur_marks(colombia: EvidencePanel, mirror: Path) -> None:
    conflicts = pd.read_excel(mirror / FILES["termination_conflict"], engine="openpyxl")
    conflicts["end"] = pd.to_datetime(conflicts["ependdate"])
    # a settlement counts if its five following years all fell before the case start
    settled = conflicts[conflicts["outcome"].isin([1, 2]) & (conflicts["end"] < "2007-02-01")]
    recurred = 0
    for row in settled.itertuples():
        # recur == 1 marks the first year of an episode that renews an earlier one
        renewals = conflicts[
            (conflicts["conflict_id"] == row.conflict_id)
            & (conflicts["recur"] == 1)
            & (conflicts["year"] > row.year)
        ]
        within = row.end + pd.DateOffset(years=5)
        recurred += bool((renewals["start_date2"] <= within).any())
    figure = colombia.figure("termination.conflict_recurrence_after_settlement.world")
    assert (figure.numerator, figure.denominator) == (recurred, len(settled)) == (29, 114)
    assert figure.period == "1946-01-01 to 2007-01-31"


def test_peace_agreement_figures_recounted(colombia: EvidencePanel, mirror: Path) -> None:
    agreements = pd.read_excel(mirror / FILES["peace_agreements"], engine="openpyxl")
    signed = agreements[pd.to_datetime(agreements["pa_date"]) < "2012-02-01"]
    world = colombia.figure("agreements.ceasefire_provision.world")
    assert (world.numerator, world.denominator) == (signed["cease"].sum(), len(signed))
    ended = signed[(signed["ended"] == True) & (pd.to_datetime(signed["duration"]) < "2012-02-01")]  # noqa: E712
    assert colombia.figure("agreements.ceased_to_hold.world").numerator == len(ended)
    # the FARC agreements of 1999-2002 all ended when the Caguán talks broke down
    farc = signed[signed["dyad_id"].astype(str).str.split(", ").map(lambda d: "623" in d)]
    held = colombia.figure("agreements.ceased_to_hold.counterpart")
    assert (held.numerator, held.denominator) == (len(farc), len(farc)) == (6, 6)
    stopped = colombia.figure("agreements.fighting_stopped_within_a_year.counterpart")
    assert (stopped.numerator, stopped.denominator) == (0, 6)


def test_pax_stages_in_the_decade_before_recounted(colombia: EvidencePanel, mirror: Path) -> None:
    with (mirror / FILES["pax"]).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    window = [r for r in rows if "2002-02-01" <= r["Dat"] < "2012-02-01"]
    in_colombia = [r for r in window if "COL" in (r["Loc1ISO"], r["Loc2ISO"])]
    pre = colombia.figure("pax.pre_negotiation.country")
    assert pre.numerator == sum(r["Stage"] == "Pre" for r in in_colombia)
    assert pre.denominator == len(in_colombia)
    assert pre.period == "2002-02-01 to 2012-01-31"
    americas = [r for r in window if r["Reg"] == "Americas"]
    ceasefire = colombia.figure("pax.ceasefire.region")
    assert ceasefire.scope_label == "Americas (PA-X region)"
    assert (ceasefire.numerator, ceasefire.denominator) == (
        sum(r["Stage"] == "Cea" for r in americas),
        len(americas),
    )
    world = colombia.figure("pax.pre_negotiation.world")
    assert (world.numerator, world.denominator) == (
        sum(r["Stage"] == "Pre" for r in window),
        len(window),
    )


def test_car_is_found_by_its_country(sources: EvidenceSources) -> None:
    panel = build_evidence_panel(
        example("central-african-republic-2013"), sources, counterparts=["seleka", "anti-balaka"]
    )
    country = panel.figure("agreements.ceasefire_provision.country")
    assert country.scope_label == "Central African Republic"
    # Birao 2007, Libreville 2008, Ndele 2011, UFDR-CPJP 2011, CPJP accession August 2012:
    # the January 2013 Libreville agreements came after the case start (10 December 2012)
    assert (country.numerator, country.denominator) == (4, 5)
    assert panel.figure("pax.ceasefire.region").scope_label == "Africa (excl MENA) (PA-X region)"
    assert panel.figure("termination.dyad_peace_agreement.region").scope_label == (
        "Africa (UCDP region)"
    )
    counterpart = panel.figure("termination.dyad_peace_agreement.counterpart")
    assert "Seleka\u2013Government of Central African Republic" in counterpart.scope_label


def test_somalia_counterpart_without_ended_episodes_gives_no_share(
    sources: EvidenceSources,
) -> None:
    panel = build_evidence_panel(example("somalia-2011"), sources, counterparts=["al-shabaab"])
    figure = panel.figure("termination.dyad_peace_agreement.counterpart")
    assert figure.denominator == 0 and figure.value is None
    assert "no share can be given" in figure.note
    assert figure.as_dict()["value"] is None


@pytest.mark.parametrize("name", ["somalia-2011", "colombia-2012", "central-african-republic-2013"])
def test_every_example_gets_a_json_ready_panel(sources: EvidenceSources, name: str) -> None:
    panel = build_evidence_panel(example(name), sources).as_dict()
    assert json.loads(json.dumps(panel)) == panel
    assert panel["missing"] == []
    for figure in panel["figures"]:
        assert set(figure) == FIGURE_KEYS
        assert figure["source"]["dataset"] in {"ucdp-termination", "ucdp-peace-agreements", "pax"}
        assert figure["source"]["citation"] and figure["source"]["version"]
        assert 0 <= figure["numerator"] <= figure["denominator"]
        if figure["denominator"] == 0:
            assert figure["value"] is None
        else:
            assert figure["value"] == round(figure["numerator"] / figure["denominator"], 4)
        assert set(figure["bears_on"]) <= {"political", "humanitarian", "preparatory"}
        assert "before" in figure["note"]
    scopes = {f["scope"] for f in panel["figures"]}
    assert scopes == {"world", "region", "country"}  # no counterparts were given
    assert any("No counterparts were given" in note for note in panel["notes"])


def test_mediation_factors_sorted_by_vote_count(colombia: EvidencePanel, mirror: Path) -> None:
    factors = colombia.as_dict()["mediation_factors"]
    with (mirror / FILES["ushmm_factors"]).open(encoding="utf-8-sig", newline="") as handle:
        mediation = [r for r in csv.DictReader(handle) if r["tool_name"] == "Mediation"]
    assert len(factors) == len(mediation) == 81
    assert all(set(f) == FACTOR_KEYS for f in factors)
    votes = [f["vote_count"] for f in factors]
    assert votes == sorted(votes, reverse=True)
    top = factors[0]
    assert (top["factor"], top["finding_count"], top["greater"], top["lesser"]) == (
        "International support or coordination", 25, 23, 1,
    )  # fmt: skip
    assert top["vote_count"] == 11.75 and top["strength"] == "Relatively strong"
    assert top["condition"] == "third_party_support"
    by_name = {f["factor"]: f for f in factors}
    assert by_name["Implementer has strong leverage"]["condition"] == "leverage"
    assert by_name["Unbiased implementer or intervention"]["condition"] == "impartiality"
    assert by_name["Democracy"]["condition"] is None
    assert sum(f["finding_count"] for f in factors) == sum(int(r["count"]) for r in mediation)


def test_files_not_installed_are_named_with_what_they_would_give(
    sources: EvidenceSources,
) -> None:
    only_pax = EvidenceSources(pax=sources.pax)
    panel = build_evidence_panel(example("colombia-2012"), only_pax, counterparts=["farc"])
    assert {f.id.split(".")[0] for f in panel.figures} == {"pax"}
    assert [m.split(":")[0] for m in panel.missing] == [
        "ucdp-termination", "ucdp-termination", "ucdp-peace-agreements", "ucdp-dyadic",
        "ushmm-tools",
    ]  # fmt: skip
    assert any("cannot be matched to UCDP dyads" in n for n in panel.notes)
    assert "Not matched to the case at counterpart scope: pax.pre_negotiation, pax.ceasefire." in (
        panel.notes
    )
    assert panel.mediation_factors == ()
    nothing = build_evidence_panel(example("colombia-2012"), EvidenceSources())
    assert nothing.figures == () and len(nothing.missing) == 6


def test_a_case_before_the_data_gets_no_shares(sources: EvidenceSources) -> None:
    early = starting(example("colombia-2012"), dt.date(1945, 6, 1))
    panel = build_evidence_panel(early, sources, counterparts=["farc"])
    assert panel.figures
    assert all(f.denominator == 0 and f.value is None for f in panel.figures)
    pre = panel.figure("pax.pre_negotiation.world")
    assert pre.period == "none (the data start on 1990-02-15)"
    assert "no share can be given" in pre.note


def test_a_data_file_without_rows_is_refused(tmp_path: Path, sources: EvidenceSources) -> None:
    assert sources.pax is not None
    header = sources.pax.read_text(encoding="utf-8-sig").splitlines()[0]
    empty = tmp_path / "pax.csv"
    empty.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="PA-X agreements file holds no data rows"):
        build_evidence_panel(example("colombia-2012"), EvidenceSources(pax=empty))


def test_an_unknown_counterpart_is_refused(sources: EvidenceSources) -> None:
    with pytest.raises(NotFoundError, match="'nobody' not among the actors"):
        build_evidence_panel(example("colombia-2012"), sources, counterparts=["nobody"])


def test_a_counterpart_without_a_ucdp_id_is_noted(sources: EvidenceSources) -> None:
    panel = build_evidence_panel(example("colombia-2012"), sources, counterparts=["santos"])
    assert any("has no UCDP actor id" in note for note in panel.notes)
    assert all(f.scope is not Scope.COUNTERPART for f in panel.figures)


def test_ucdp_regions_follow_the_country_numbers_in_the_data(mirror: Path) -> None:
    conflicts = read_termination_conflicts(mirror / FILES["termination_conflict"])
    single = conflicts[(conflicts["gwno_loc"].map(len) == 1) & (conflicts["region"].map(len) == 1)]
    pairs = {
        (gw[0], region[0]) for gw, region in zip(single["gwno_loc"], single["region"], strict=True)
    }
    assert {ucdp_region_of(gw) for gw, _ in pairs} <= set(UCDP_REGIONS)
    assert all(ucdp_region_of(gw) == region for gw, region in pairs)
