"""The manifest: every external data set backchannel uses, as plain data.

For every data set its version, publication date, cadence, upstream location (with where
the producer documents it, ``upstream_docs``), licence and citation; for every file its
mirror location, upstream address (and the day it was confirmed, if it was), checksum and
layout. ``dataset_spec`` looks one up by id.
"""

from __future__ import annotations

from collections.abc import Sequence

from backchannel.datasets import upstream_docs as docs
from backchannel.datasets.specs import (
    Cadence,
    CsvLayout,
    DatasetSpec,
    ExtentRule,
    FileSpec,
    ListCheck,
    MonthlyRelease,
    XlsxLayout,
    XmlLayout,
)
from backchannel.errors import NotFoundError
from backchannel.events.coverage import ExtentKind
from backchannel.events.readers import ACLED_REQUIRED, GED_COLUMNS, GED_REQUIRED

__all__ = ["ACLED_READ_URL", "ACLED_TOKEN_URL", "EWP_PREDICTORS", "MANIFEST", "dataset_spec"]

_GED_COLUMNS = GED_COLUMNS  # the official 49-column layout, defined once by the reader


def _cols(names: str) -> tuple[str, ...]:
    return tuple(names.split())


_EWP_COMMIT = "3a31c0a8b0e32b4882c2eeb6503e726bbb27a2b4"
_EWP_RAW = (
    "https://raw.githubusercontent.com/EarlyWarningProject/"
    f"2025-Statistical-Risk-Assessment/{_EWP_COMMIT}"
)
_EWP_MODELING = f"{_EWP_RAW}/3.Modeling"
# The commit the stored index of the repository holds the base data at.
_EWP_BASE_COMMIT = "6e7576318893e7cfaa92aa81a228f11f7be031ea"
_CHECKED = docs.CHECKED
_USHMM_RAW = (
    "https://raw.githubusercontent.com/ushmm/atrocity-prevention-data/main/data/V3%20-%202025_April"
)
_UCDP = "https://ucdp.uu.se/downloads"
_OFAC_SLS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"
_UCDP_PRODUCER = "Uppsala Conflict Data Program (UCDP), Uppsala University"
_UCDP_LICENCE = "CC BY 4.0"
_UCDP_CYCLE_2025 = (
    "Davies, S., Pettersson, T., Sollenberg, M. & Öberg, M. (2025). Organized violence "
    "1989-2024, and the challenges of identifying civilian victims. Journal of Peace Research."
)
_EWP_CITATION = (
    "United States Holocaust Memorial Museum, Simon-Skjodt Center for the Prevention of "
    "Genocide, Early Warning Project: Statistical Risk Assessment 2025 (replication data, "
    "3 September 2025)."
)

#: The EWP predictor table (country-years) that the forecast, the stage backtest and the
#: case assessment read.
EWP_PREDICTORS = "prepared2024predictors-2025-09-03.csv"

#: ACLED's API read endpoint for events, and its OAuth token endpoint (``docs.ACLED``).
ACLED_READ_URL = "https://acleddata.com/api/acled/read"
ACLED_TOKEN_URL = "https://acleddata.com/oauth/token"  # noqa: S105 - an address, not a secret

MANIFEST: tuple[DatasetSpec, ...] = (
    DatasetSpec(
        id="ewp",
        title="Early Warning Project Statistical Risk Assessment 2025",
        version="2025 (3 Sep 2025)",
        producer="US Holocaust Memorial Museum, Early Warning Project",
        homepage="https://github.com/EarlyWarningProject/2025-Statistical-Risk-Assessment",
        licence="Public replication data; no licence file. Cite the producer.",
        citation=_EWP_CITATION,
        upstream=docs.EWP,
        published="2025-09-03",
        files=(
            FileSpec(
                name=EWP_PREDICTORS,
                mirror="ewp/prepared2024predictors-2025-09-03.csv",
                url=f"{_EWP_MODELING}/prepared2024predictors-2025-09-03.csv",
                checked=_CHECKED,
                sha256="92ade125d6e2d41742d373169c81a14bd623f48b4d865c72433f5f0296bf1780",
                layout=CsvLayout(
                    required_columns=("ewp_name", "year", "ccode", "mk_onset_1or2"),
                    year_column="year",
                    country_column="ewp_name",
                ),
            ),
            FileSpec(
                name="FOOSforecasts_3Sep2025.csv",
                mirror="ewp/FOOSforecasts_3Sep2025.csv",
                url=f"{_EWP_MODELING}/FOOSforecasts_3Sep2025.csv",
                checked=_CHECKED,
                sha256="41ba71770e1da0dac55e6fe2271b23f49d772607a6b6c161c574e18d84fea3c7",
                layout=CsvLayout(
                    required_columns=_cols("year ewp_name ccode mk_onset maxrisk2 minrank2"),
                    year_column="year",
                    country_column="ewp_name",
                ),
            ),
            FileSpec(
                name="final_forecasts_data_3Sep2025.csv",
                mirror="ewp/final_forecasts_data_3Sep2025.csv",
                url=f"{_EWP_MODELING}/final_forecasts_data_3Sep2025.csv",
                checked=_CHECKED,
                sha256="1f6bb285e934aff927eb9cb414882e92d22fb8ffb041e3a70fb3da53efc5cb5d",
                layout=CsvLayout(
                    required_columns=("ewp_name", "risk.2025and2026.from2024", "year"),
                    year_column="year",
                    country_column="ewp_name",
                ),
            ),
            FileSpec(
                name="coefficients_3Sep2025.csv",
                mirror="ewp/coefficients_3Sep2025.csv",
                url=f"{_EWP_MODELING}/coefficients_3Sep2025.csv",
                sha256="299ecf94d7eabb21bd5032b328f7890b54d9897420c250128868c9e36d1dfbec",
                layout=CsvLayout(required_columns=("variable", "coef.full", "or.full")),
            ),
            FileSpec(
                name="basedata2025_4august2025.csv",
                mirror="ewp/basedata2025_4august2025.csv",
                url=(
                    "https://raw.githubusercontent.com/EarlyWarningProject/2025-Statistical-"
                    f"Risk-Assessment/{_EWP_BASE_COMMIT}/1.Buildcountryyears_and_mk_data/"
                    "basedata2025_4august2025.csv"
                ),
                checked=_CHECKED,
                sha256="917721d5c44e3956ddccba2266c51279fadf817b57bd0ced4f34aa343ba3097d",
                layout=CsvLayout(
                    required_columns=("year", "country", "ccode", "mk_onset", "ewp_name"),
                    year_column="year",
                    # ewp_name, as in the other EWP files (country has historical names)
                    country_column="ewp_name",
                ),
            ),
        ),
    ),
    DatasetSpec(
        id="ucdp-ged",
        title="UCDP Georeferenced Event Dataset (GED) Global",
        version="23.1",
        producer=_UCDP_PRODUCER,
        homepage=f"{_UCDP}/",
        licence=_UCDP_LICENCE,
        upstream=docs.UCDP,
        published="2023",
        citation=(
            "Davies, S., Pettersson, T. & Öberg, M. (2023). Organized violence 1989-2022, "
            "and the return of conflict between states. Journal of Peace Research 60(4). "
            "Sundberg, R. & Melander, E. (2013). Introducing the UCDP Georeferenced Event "
            "Dataset. Journal of Peace Research 50(4)."
        ),
        files=(
            FileSpec(
                name="GEDEvent_v23_1.csv",
                mirror="ucdp/ged231*.csv",
                url=f"{_UCDP}/ged/ged231-csv.zip",
                member="GEDEvent_v23_1.csv",
                layout=CsvLayout(
                    required_columns=_GED_COLUMNS, year_column="year", country_column="country"
                ),
                # What each file covers, by name: upstream's global file is the full
                # release; the mirror holds a sample across countries and extracts of
                # single countries (ged231_<country>.csv).
                extents=(
                    ExtentRule("*sample*", ExtentKind.SAMPLE),
                    ExtentRule("GEDEvent_*", ExtentKind.FULL_RELEASE),
                    ExtentRule("ged231_*", ExtentKind.COUNTRY_EXTRACT),
                ),
            ),
        ),
        notes=(
            "No checksum: upstream is a zip whose bytes were not available offline, and "
            "mirror copies are converted subsets, which are layout-checked. A sample "
            "covers no country: it holds only some of each country's events."
        ),
    ),
    DatasetSpec(
        id="ucdp-ged-candidate",
        title="UCDP Candidate Events Dataset (monthly GED candidate release)",
        version="monthly",
        producer=_UCDP_PRODUCER,
        homepage=f"{_UCDP}/",
        licence=_UCDP_LICENCE,
        citation=(
            "Hegre, H., Croicu, M., Eck, K. & Högbladh, S. (2020). Introducing the UCDP "
            "Candidate Events Dataset. Research & Politics 7(3)."
        ),
        upstream=docs.UCDP_CANDIDATE,
        cadence=Cadence.MONTHLY,
        optional=True,
        files=(
            FileSpec(
                name="GEDEvent_candidate.csv",
                mirror="ucdp/GEDEvent_v*_0_*.csv",
                monthly=MonthlyRelease(
                    url=f"{_UCDP}/candidateged/GEDEvent_v{{yy}}_0_{{month}}.csv",
                    name="GEDEvent_v{yy}_0_{month}.csv",
                ),
                # GED's columns; a candidate release may leave out some of the others
                layout=CsvLayout(
                    required_columns=tuple(sorted(GED_REQUIRED)),
                    year_column="year",
                    country_column="country",
                ),
            ),
        ),
        notes=(
            "The newest monthly release only (one month of events, not yet vetted: UCDP "
            "revises candidate events before they enter the yearly GED). Its date is the "
            "last day of the month it covers. Skipped in a pull of all from a mirror that "
            "lacks it."
        ),
    ),
    DatasetSpec(
        id="ucdp-actors",
        title="UCDP Actor Dataset",
        version="22.1",
        producer=_UCDP_PRODUCER,
        homepage=f"{_UCDP}/",
        licence=_UCDP_LICENCE,
        upstream=docs.UCDP,
        published="2022",
        citation="Uppsala Conflict Data Program (2022). UCDP Actor Dataset, version 22.1.",
        files=(
            FileSpec(
                name="ucdp-actor-221.csv",
                mirror="ucdp/ucdp-actor-221.csv",
                url=f"{_UCDP}/actor/ucdp-actor-221-csv.zip",
                member="*.csv",
                sha256="9974d854199e4679eb3eb87548d79c9b31f75c4cfbb3616bdcd7f5ef33e1a92c",
                layout=CsvLayout(
                    required_columns=("ActorId", "NameData", "NameOrig", "Org", "Location"),
                    country_column="Location",
                    country_separator=",",
                ),
            ),
        ),
    ),
    DatasetSpec(
        id="ucdp-dyadic",
        title="UCDP Dyadic Dataset",
        version="25.1",
        producer=_UCDP_PRODUCER,
        homepage=f"{_UCDP}/",
        licence=_UCDP_LICENCE,
        upstream=docs.UCDP,
        published="2025",
        citation=(
            "Harbom, L., Melander, E. & Wallensteen, P. (2008). Dyadic Dimensions of Armed "
            f"Conflict, 1946-2007. Journal of Peace Research 45(5). {_UCDP_CYCLE_2025}"
        ),
        files=(
            FileSpec(
                name="ucdp-dyadic-251.csv",
                mirror="ucdp/ucdp-dyadic-251.csv",
                url=f"{_UCDP}/dyadic/ucdp-dyadic-251-csv.zip",
                member="*.csv",
                sha256="e5bf6e3779a903f3df3ec476592332ce51ccf3798174b3db4c1b06dd1dd5a7ba",
                layout=CsvLayout(
                    required_columns=_cols(
                        "dyad_id conflict_id location side_a side_a_id "
                        "side_b side_b_id year intensity_level type_of_conflict"
                    ),
                    year_column="year",
                    country_column="location",
                    country_separator=",",
                ),
            ),
        ),
    ),
    DatasetSpec(
        id="ucdp-acd",
        title="UCDP/PRIO Armed Conflict Dataset",
        version="25.1",
        producer=f"{_UCDP_PRODUCER}; Peace Research Institute Oslo (PRIO)",
        homepage=f"{_UCDP}/",
        licence=_UCDP_LICENCE,
        upstream=docs.UCDP,
        published="2025",
        citation=(
            "Gleditsch, N. P., Wallensteen, P., Eriksson, M., Sollenberg, M. & Strand, H. "
            "(2002). Armed Conflict 1946-2001: A New Dataset. Journal of Peace Research "
            f"39(5). {_UCDP_CYCLE_2025}"
        ),
        files=(
            FileSpec(
                name="ucdp-prio-acd-251.csv",
                mirror="ucdp/ucdp-prio-acd-251.csv",
                url=f"{_UCDP}/ucdpprio/ucdp-prio-acd-251-csv.zip",
                member="*.csv",
                sha256="a7a2ff6caf6c854f4fafb1b17f616da1ed6bbc00612943ec6e071511ebea7a81",
                layout=CsvLayout(
                    required_columns=_cols(
                        "conflict_id location side_a side_b "
                        "year intensity_level type_of_conflict ep_end"
                    ),
                    year_column="year",
                    country_column="location",
                    country_separator=",",
                ),
            ),
        ),
    ),
    DatasetSpec(
        id="ucdp-peace-agreements",
        title="UCDP Peace Agreement Dataset",
        version="22.1",
        producer=_UCDP_PRODUCER,
        homepage=f"{_UCDP}/",
        licence=_UCDP_LICENCE,
        upstream=docs.UCDP,
        published="2022",
        citation=(
            "Högbladh, S. (2011). Peace agreements 1975-2011: Updating the UCDP Peace "
            "Agreement dataset. In Pettersson, T. & Themnér, L. (eds.), States in Armed "
            "Conflict 2011. Uppsala University. UCDP Peace Agreement Dataset, version 22.1."
        ),
        files=(
            FileSpec(
                name="ucdp-peace-agreements-221.xlsx",
                mirror="ucdp/ucdp-peace-agreements-221.xlsx",
                url=f"{_UCDP}/peace/ucdp-peace-agreements-221.xlsx",
                sha256="883113e86e29f1fd798482a8b97525e1c85e70fc1ce02de8f23448e0c2f5cf9d",
                layout=XlsxLayout(
                    required_columns=("paid", "year", "ended", "cease", "ddr", "amn"),
                    year_column="year",
                    country_column="gwno",
                    country_separator=",",
                ),
            ),
        ),
    ),
    DatasetSpec(
        id="ucdp-termination",
        title="UCDP Conflict Termination Dataset (dyad and conflict episodes)",
        version="3-2021",
        producer=_UCDP_PRODUCER,
        homepage=f"{_UCDP}/",
        licence=_UCDP_LICENCE,
        upstream=docs.UCDP,
        published="2021",
        citation=(
            "Kreutz, J. (2010). How and when armed conflicts end: Introducing the UCDP "
            "Conflict Termination dataset. Journal of Peace Research 47(2)."
        ),
        files=(
            FileSpec(
                name="ucdp-term-dyad-3-2021.xlsx",
                mirror="ucdp/ucdp-term-dyad-3-2021.xlsx",
                url=f"{_UCDP}/termination/ucdp-term-dyad-3-2021.xlsx",
                sha256="1c2bc692546d67dad9686a14a5cf0aa495de41311a647adc2ea6eda869ad8daf",
                layout=XlsxLayout(
                    required_columns=_cols("dyadep_id dyad_id conflict_id year outcome recur"),
                    year_column="year",
                    country_column="location",
                    country_separator=",",
                ),
            ),
            FileSpec(
                name="ucdp-term-acd-3-2021.xlsx",
                mirror="ucdp/ucdp-term-acd-3-2021.xlsx",
                url=f"{_UCDP}/termination/ucdp-term-acd-3-2021.xlsx",
                sha256="13b56a547d67600b2c4619b386100da9dc04d76d656aeb10e3e1efcb9dcdc254",
                layout=XlsxLayout(
                    required_columns=("conflictep_id", "conflict_id", "year", "outcome", "recur"),
                    year_column="year",
                    country_column="location",
                    country_separator=",",
                ),
            ),
        ),
        notes="Upstream file URLs follow the producer's naming; unconfirmed (see upstream).",
    ),
    DatasetSpec(
        id="pax",
        title="PA-X Peace Agreements Database",
        version="6",
        producer="University of Edinburgh, PeaceRep (Peace and Conflict Resolution Evidence "
        "Platform)",
        homepage="https://www.peaceagreements.org/downloads/",
        upstream=docs.PAX,
        licence="Terms of use of the PA-X database (not stated in the mirror); cite the producer.",
        citation=(
            "Bell, C. & Badanjak, S. (2019). Introducing PA-X: A new peace agreement database "
            "and dataset. Journal of Peace Research 56(3). PA-X Peace Agreements Database, "
            "version 6, University of Edinburgh."
        ),
        files=(
            FileSpec(
                name="pax_all_agreements_data_v6.csv",
                mirror="pax/pax_all_agreements_data_v6.csv",
                sha256="21a61aa73b58179febde4df184e143bbab83039e65232a2a70afc037cb2dfb13",
                layout=CsvLayout(
                    required_columns=_cols("Con PPName AgtId Agt Dat Stage Loc1ISO UcdpCon"),
                    year_column="Dat",
                    country_column="Loc1ISO",
                ),
            ),
        ),
        notes=(
            "No confirmed address for PA-X's CSV export: set it in BACKCHANNEL_UPSTREAM_URLS "
            "or install with --mirror. Version 6 states no publication date here: undated."
        ),
    ),
    DatasetSpec(
        id="un-sanctions",
        title="UN Security Council Consolidated Sanctions List",
        version="live",
        producer="United Nations Security Council",
        homepage="https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
        upstream=docs.UN,
        cadence=Cadence.LIST,
        licence="United Nations public information.",
        citation="United Nations Security Council, Consolidated United Nations Security "
        "Council Sanctions List (date as generated).",
        files=(
            FileSpec(
                name="un_consolidated.xml",
                mirror="sanctions/un_consolidated.xml",
                url="https://scsanctions.un.org/resources/xml/en/consolidated.xml",
                layout=XmlLayout(
                    root="CONSOLIDATED_LIST",
                    record_elements=("INDIVIDUAL", "ENTITY"),
                    year_element="LISTED_ON",
                ),
            ),
        ),
        notes="Changes whenever the Council lists or delists: no fixed checksum.",
        designation_list=ListCheck(
            reader="un",
            reference_entries=1003,
            reference="the consolidated list generated 2026-02-27 (730 individuals, 273 entities)",
        ),
    ),
    DatasetSpec(
        id="ofac-sdn",
        title="OFAC Specially Designated Nationals and Blocked Persons List",
        version="live",
        producer="US Department of the Treasury, Office of Foreign Assets Control",
        homepage="https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
        licence="US Government work (public domain in the United States).",
        upstream=docs.OFAC,
        cadence=Cadence.LIST,
        citation="US Department of the Treasury, Office of Foreign Assets Control, Specially "
        "Designated Nationals and Blocked Persons List (date as downloaded).",
        files=(
            FileSpec(
                name="ofac_sdn.csv",
                mirror="sanctions/ofac_sdn.csv",
                url=f"{_OFAC_SLS}/SDN.CSV",
                layout=CsvLayout(header=False, column_count=12, encoding="latin-1"),
            ),
            FileSpec(
                name="ofac_alt.csv",
                mirror="sanctions/ofac_alt.csv",
                url=f"{_OFAC_SLS}/ALT.CSV",
                layout=CsvLayout(header=False, column_count=5, encoding="latin-1"),
            ),
            FileSpec(
                name="ofac_add.csv",
                mirror="sanctions/ofac_add.csv",
                url=f"{_OFAC_SLS}/ADD.CSV",
                layout=CsvLayout(
                    header=False, column_count=6, country_column=4, encoding="latin-1"
                ),
            ),
        ),
        notes="Live lists: no fixed checksum; the files state no publication date (undated).",
        designation_list=ListCheck(
            reader="ofac",
            reference_entries=8976,
            reference="OFAC's delimited SDN files of July 2021",
        ),
    ),
    DatasetSpec(
        id="ushmm-tools",
        title="USHMM Tools for Atrocity Prevention evidence review",
        version="V3 (April 2025)",
        producer="US Holocaust Memorial Museum, Simon-Skjodt Center for the Prevention of Genocide",
        homepage="https://github.com/ushmm/atrocity-prevention-data",
        upstream=docs.USHMM,
        published="2025-04",
        licence="No licence file: use for derived statistics with citation.",
        citation="United States Holocaust Memorial Museum, Simon-Skjodt Center for the "
        "Prevention of Genocide, Tools for Atrocity Prevention (evidence review, April 2025).",
        files=(
            FileSpec(
                name="all_factors_3.csv",
                mirror="ushmm/all_factors_3.csv",
                url=f"{_USHMM_RAW}/all_factors_3.csv",
                sha256="bca24fd172b39a08f968467c5aad43397ed0a7a0570e5dc713a29eed11efe1ff",
                layout=CsvLayout(
                    required_columns=_cols(
                        "tool_name count greater_findings "
                        "lesser_findings no_mixed_findings vote_count_factor"
                    ),
                ),
            ),
            FileSpec(
                name="all_sources_3.csv",
                mirror="ushmm/all_sources_3.csv",
                url=f"{_USHMM_RAW}/all_sources_3.csv",
                sha256="309ca6aef326b974dfbf52fbe1aea779bcb77d38a49d4e1f82346c77d165bd4c",
                layout=CsvLayout(
                    required_columns=("Index.Number", "Tool", "Publication", "Year"),
                    year_column="Year",
                ),
            ),
            FileSpec(
                name="code_guide_3.csv",
                mirror="ushmm/code_guide_3.csv",
                url=f"{_USHMM_RAW}/code_guide_3.csv",
                sha256="d38a7683a62d3d3d75299a91c8a9fc84507feaffc78b0e3186839ca0c4fe83eb",
                layout=CsvLayout(required_columns=("index_number", "excluded")),
            ),
            FileSpec(
                name="data_dictionary_3.csv",
                mirror="ushmm/data_dictionary_3.csv",
                url=f"{_USHMM_RAW}/data_dictionary_3.csv",
                sha256="5c71cba9e4fbb3f245ccad7ceece827ae06b7e1fef4a3b111518c84d65630976",
                # Its first row is a title, not a header: only its width is checked.
                layout=CsvLayout(),
            ),
            FileSpec(
                name="master_codes_3.csv",
                mirror="ushmm/master_codes_3.csv",
                url=f"{_USHMM_RAW}/master_codes_3.csv",
                sha256="d4a541239fb712afbd6a8cb8a474a17ac07c15106333b63f6a1ec4a2863e39e1",
                layout=CsvLayout(required_columns=("Code type", "Code")),
            ),
        ),
        notes="Upstream URLs follow the repository's main branch; the checksums pin V3.",
    ),
    DatasetSpec(
        id="acled",
        title="ACLED events (Armed Conflict Location & Event Data), through ACLED's API",
        version="live (API)",
        producer="ACLED (Armed Conflict Location & Event Data)",
        homepage="https://acleddata.com/",
        licence=(
            "ACLED's terms of use: for the account holder's own analysis; the data may not "
            "be redistributed, so they are never packaged, mirrored or exported from the "
            "user's store. Cite ACLED wherever figures from them are shown."
        ),
        citation=(
            "Raleigh, C., Kishi, R. & Linke, A. (2023). Political instability patterns are "
            "obscured by conflict dataset scope conditions, sources, and coding choices. "
            "Humanities and Social Sciences Communications 10. ACLED data retrieved through "
            "ACLED's API (acleddata.com)."
        ),
        upstream=docs.ACLED,
        cadence=Cadence.FEED,
        optional=True,
        redistributable=False,
        files=(
            FileSpec(
                name="acled_events.csv",
                mirror="acled/*.csv",
                url=ACLED_READ_URL,
                checked=_CHECKED,
                api="acled",
                layout=CsvLayout(
                    required_columns=tuple(sorted(ACLED_REQUIRED)),
                    year_column="event_date",
                    country_column="country",
                ),
            ),
        ),
        notes=(
            "Needs a myACLED account (BACKCHANNEL_ACLED_EMAIL, BACKCHANNEL_ACLED_PASSWORD); "
            "each pull fetches the events from the newest installed event date on and "
            "merges them in. Its date is the newest event date it holds."
        ),
    ),
)


def dataset_spec(dataset_id: str, manifest: Sequence[DatasetSpec] = MANIFEST) -> DatasetSpec:
    """The manifest entry of ``dataset_id``; ``NotFoundError`` listing the valid ids if none."""
    for spec in manifest:
        if spec.id == dataset_id:
            return spec
    valid = ", ".join(s.id for s in manifest)
    raise NotFoundError(f"unknown data set {dataset_id!r}; valid ids: {valid}")
