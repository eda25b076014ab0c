"""What the pages and the API show of one case, computed once per request.

The assessment is run (or taken from the app's cache) on the stored case with offline
inputs only (the packaged structural forecast, the case's own judgements and actor map).
For a user whose role does not give the full brief, the case is shown redacted, as in the
redacted brief (``redaction.Disclosure``): every masked actor by its label, every record id
by an opaque one, sensitive fields left out. What such a user is sent is read back first;
if a sensitive form is still in it, the answer is a clear refusal (``RedactionRefused``)
that names what kind of form it was, never the form itself, and nothing else is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pycountry

from backchannel.auth import Action
from backchannel.dialogue.negotiation import NegotiationView
from backchannel.errors import RedactionLeakError
from backchannel.model.case import Case
from backchannel.redaction import Disclosure
from backchannel.reports.negotiation_section import NegotiationSection, build_negotiation_section
from backchannel.web.analysis_cache import AnalysisCache
from backchannel.web.dependencies import CaseAccess
from backchannel.web.errors import WebRefusal


class RedactionRefused(WebRefusal):
    """A redacted page, document or brief failed its leak check and was not sent.

    Its message says what the forms found identify and where, not the forms: the reader
    is someone who may not see them. It is not logged either, for the same reason.
    """

    status = 500
    code = "redaction_leak"
    message = "The redacted view was not produced: it still held a sensitive form."

    def __init__(self, error: RedactionLeakError) -> None:
        super().__init__(error.withheld_message)
        self.message = error.withheld_message


@contextmanager
def refused_if_leaking() -> Iterator[None]:
    """Turn a failed leak check into the refusal a reader of the redacted view gets."""
    try:
        yield
    except RedactionLeakError as error:
        raise RedactionRefused(error) from None


@dataclass(frozen=True)
class AssessedCase:
    """A case, its assessment document and whether that document was redacted."""

    case: Case
    document: dict[str, Any]
    redacted: bool


def sees_sensitive_names(access: CaseAccess) -> bool:
    """Whether the user may see masked actors' identities (those who get the full brief)."""
    return access.allows(Action.BRIEF_FULL)


def viewer_disclosure(access: CaseAccess) -> Disclosure | None:
    """How the case is masked for the user looking; ``None`` when they see it in full."""
    if sees_sensitive_names(access):
        return None
    return access.memory.disclosure(access.store, access.case_id)


def shown_case(case: Case, disclosure: Disclosure | None) -> Case:
    """The case as a page's header shows it: for a redacted view, its context masked and
    no record at all (the page gets the records it shows, redacted, on their own)."""
    if disclosure is None:
        return case
    empty: dict[str, Any] = {collection: [] for collection in Case.COLLECTIONS}
    return case.model_copy(
        update={"context": disclosure.redact(case.context), "sources": [], **empty}
    )


def assessed_case(
    access: CaseAccess, analyses: AnalysisCache, *, refresh: bool = False
) -> AssessedCase:
    """The stored case and its assessment, masked unless the user gets the full brief.

    The analysis comes from ``analyses`` when the case has not changed since it was last
    run (today), unless ``refresh`` asks for it to be run again.
    """
    redacted = not sees_sensitive_names(access)
    with refused_if_leaking():
        case, document = analyses.assessment(
            access.store, access.case_id, redacted=redacted, refresh=refresh
        )
    return AssessedCase(case, document, redacted)


def negotiation_of(assessed: AssessedCase) -> NegotiationSection:
    """The negotiation as the dashboard shows it, read from the assessment document the
    user is given (its texts already withheld when that document is redacted)."""
    view = NegotiationView.model_validate(assessed.document["negotiation"])
    return build_negotiation_section(view, redacted=assessed.redacted)


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
