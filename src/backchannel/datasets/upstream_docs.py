"""Where each producer documents its download addresses, and how far each was confirmed.

Data for the manifest: one ``Upstream`` per data set. The addresses were looked for on
2026-12-04 (``CHECKED``) in stored copies of the producers' pages and repositories, with
no network: a file's address is marked checked (``FileSpec.checked``) only where a stored
document of the producer gives it. Where only other public projects that download from
the producer show an address, it is kept unconfirmed and the evidence says so; where no
address could be found at all (PA-X's CSV export), the manifest gives none and the user
sets it (``BACKCHANNEL_UPSTREAM_URLS``) or installs from a mirror.
"""

from __future__ import annotations

import datetime as dt

from backchannel.datasets.specs import Upstream

__all__ = [
    "ACLED",
    "CHECKED",
    "EWP",
    "OFAC",
    "PAX",
    "UCDP",
    "UCDP_CANDIDATE",
    "UN",
    "USHMM",
]

#: The day the addresses were looked for.
CHECKED = dt.date(2026, 12, 4)

EWP = Upstream(
    documented_at="https://github.com/EarlyWarningProject/2025-Statistical-Risk-Assessment",
    evidence=(
        "The producer's replication repository: its README names the 3 Sep 2025 files, and "
        "the stored index of the repository lists prepared2024predictors-2025-09-03.csv, "
        "FOOSforecasts_3Sep2025.csv and final_forecasts_data_3Sep2025.csv in 3.Modeling/ at "
        "commit 3a31c0a8, and basedata2025_4august2025.csv in "
        "1.Buildcountryyears_and_mk_data/ at commit 6e757631. coefficients_3Sep2025.csv is "
        "not in the stored index (its 4Aug and 7Aug siblings are): its address at 3a31c0a8 "
        "is unconfirmed."
    ),
)

UCDP = Upstream(
    documented_at="https://ucdp.uu.se/downloads/",
    evidence=(
        "No stored copy of UCDP's download centre was found. The archive names follow the "
        "centre's pattern as public projects that download from it use it "
        "(ged/ged<version>-csv.zip for GED 20.1 to 26.1, ucdpprio/ucdp-prio-acd-<version>-"
        "csv.zip and actor/ucdp-actor-<version>-csv.zip for 26.1; one registry, retrieved "
        "2026-10-03, names ged/ged251-csv.zip the official archive). The dyadic, peace "
        "agreement and termination addresses were seen nowhere: unconfirmed."
    ),
)

UCDP_CANDIDATE = Upstream(
    documented_at="https://ucdp.uu.se/downloads/",
    evidence=(
        "No stored copy of UCDP's download centre was found. Public projects fetch the "
        "monthly candidate releases as candidateged/GEDEvent_v<yy>_0_<month>.csv (e.g. "
        "GEDEvent_v25_0_12.csv, GEDEvent_v26_0_7.csv and GEDEvent_v26_0_8.csv in a list "
        "checked 2026-09-23), alongside quarterly files (GEDEvent_v26_01_26_06.csv) that "
        "this pull does not take: unconfirmed. UCDP's API (ucdpapi.pcr.uu.se, gedevents) "
        "needs an access token requested from UCDP and is not used."
    ),
)

UN = Upstream(
    documented_at="https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
    evidence=(
        "No stored copy of the Security Council's page was found. The XML address is the "
        "one public screening projects fetch; one survey of sanctions sources reports it "
        "answering 200 with dateGenerated 2026-09-18: unconfirmed."
    ),
)

OFAC = Upstream(
    documented_at="https://ofac.treasury.gov/faqs/topic/1641",
    evidence=(
        "OFAC's FAQ on list file formats (stored copy) confirms the SDN list is published "
        "as header-less CSV files but does not give the addresses. The Sanctions List "
        "Service exports (sanctionslistservice.ofac.treas.gov/api/PublicationPreview/"
        "exports/SDN.CSV, ALT.CSV, ADD.CSV) are the addresses public projects fetch in "
        "2026; one survey reports SDN.CSV answering 200 after a 302 redirect, as the "
        "legacy www.treasury.gov/ofac/downloads/ files now do: unconfirmed. The files "
        "state no publication date."
    ),
)

PAX = Upstream(
    documented_at="https://pax.peaceagreements.org/",
    evidence=(
        "The producer's home page (stored copy) offers the full data set as a CSV from its "
        "download centre (https://www.peaceagreements.org/downloads/), version 8 at the "
        "time, but the stored copy does not hold the link's address, and no public project "
        'shows one: no address is given. Set it in BACKCHANNEL_UPSTREAM_URLS under "pax" '
        "once read from the download centre, or install from a mirror."
    ),
)

USHMM = Upstream(
    documented_at="https://github.com/ushmm/atrocity-prevention-data",
    evidence=(
        "The producer's repository; the stored index of it does not hold the data/V3 - "
        "2025_April files, so their addresses on the main branch are unconfirmed (the "
        "checksums pin the V3 bytes whatever the branch holds)."
    ),
)

ACLED = Upstream(
    documented_at="https://acleddata.com/api-documentation/getting-started",
    evidence=(
        "ACLED's API guide, 'Getting started' (a stored copy), gives the read endpoint "
        "https://acleddata.com/api/acled/read and says programmatic access signs in with "
        "OAuth tokens from the myACLED account's credentials; ACLED's own R package "
        "(acledR) names this guide. The token endpoint https://acleddata.com/oauth/token "
        "(password grant, client_id acled) is what public ACLED clients use; the stored "
        "copy of the guide breaks off before it: unconfirmed. The older key-and-email "
        "access (api.acleddata.com) is superseded and not used."
    ),
)
