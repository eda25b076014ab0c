"""What the pages and the API show of one case, computed once per request.

The assessment is run (or taken from the app's cache) on the stored case with offline
inputs only (the packaged structural forecast, the case's own judgements and actor map).
For a user whose role does not give the full brief, every sensitive actor name
(intermediaries) is masked in it, as in the redacted brief.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pycountry

from backchannel.auth import Action
from backchannel.model.case import Case
from backchannel.web.analysis_cache import AnalysisCache
from backchannel.web.dependencies import CaseAccess


@dataclass(frozen=True)
class AssessedCase:
    """A case, its assessment document and whether that document was redacted."""

    case: Case
    document: dict[str, Any]
    redacted: bool


def sees_sensitive_names(access: CaseAccess) -> bool:
    """Whether the user may see intermediaries' identities (those who get the full brief)."""
    return access.allows(Action.BRIEF_FULL)


def assessed_case(
    access: CaseAccess, analyses: AnalysisCache, *, refresh: bool = False
) -> AssessedCase:
    """The stored case and its assessment, masked unless the user gets the full brief.

    The analysis comes from ``analyses`` when the case has not changed since it was last
    run (today), unless ``refresh`` asks for it to be run again.
    """
    redacted = not sees_sensitive_names(access)
    case, document = analyses.assessment(
        access.store, access.case_id, redacted=redacted, refresh=refresh
    )
    return AssessedCase(case, document, redacted)


def country_name(code: str) -> str:
    """The country's common or short name for an ISO alpha-3 code (the code if unknown)."""
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def record_counts(case: Case) -> dict[str, int]:
    """How many records the case holds per collection."""
    return {collection: len(getattr(case, collection)) for collection in Case.COLLECTIONS}


def run_assessment(access: CaseAccess, analyses: AnalysisCache) -> AssessedCase:
    """Run the case's assessment afresh, audited as ``assessment.run`` with what it gave."""
    assessed = assessed_case(access, analyses, refresh=True)
    document = assessed.document
    access.store.record_event(
        "assessment.run",
        access.case_id,
        {
            "as_of": document.get("as_of"),
            "stage": document.get("stage"),
            "status": (document.get("recommendation") or {}).get("status"),
            "modality": document.get("modality"),
        },
    )
    return assessed
