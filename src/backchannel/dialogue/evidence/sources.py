"""The data sets the evidence panel cites, as the data manifest registers them.

The core may not import ``backchannel.datasets``, so the titles, versions and citations
are repeated here; ``tests/dialogue/test_evidence_sources.py`` fails the moment they drift
from the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DATASETS", "SourceRef", "source_of"]


@dataclass(frozen=True)
class SourceRef:
    """Where a figure comes from: the manifest's data set id, version and citation."""

    dataset: str
    title: str
    version: str
    citation: str

    def as_dict(self) -> dict[str, str]:
        """JSON-ready: ``dataset``, ``version``, ``citation``."""
        return {"dataset": self.dataset, "version": self.version, "citation": self.citation}


DATASETS: dict[str, SourceRef] = {
    ref.dataset: ref
    for ref in (
        SourceRef(
            dataset="ucdp-termination",
            title="UCDP Conflict Termination Dataset (dyad and conflict episodes)",
            version="3-2021",
            citation=(
                "Kreutz, J. (2010). How and when armed conflicts end: Introducing the UCDP "
                "Conflict Termination dataset. Journal of Peace Research 47(2)."
            ),
        ),
        SourceRef(
            dataset="ucdp-peace-agreements",
            title="UCDP Peace Agreement Dataset",
            version="22.1",
            citation=(
                "Högbladh, S. (2011). Peace agreements 1975-2011: Updating the UCDP Peace "
                "Agreement dataset. In Pettersson, T. & Themnér, L. (eds.), States in Armed "
                "Conflict 2011. Uppsala University. UCDP Peace Agreement Dataset, version 22.1."
            ),
        ),
        SourceRef(
            dataset="ucdp-dyadic",
            title="UCDP Dyadic Dataset",
            version="25.1",
            citation=(
                "Harbom, L., Melander, E. & Wallensteen, P. (2008). Dyadic Dimensions of "
                "Armed Conflict, 1946-2007. Journal of Peace Research 45(5). Davies, S., "
                "Pettersson, T., Sollenberg, M. & Öberg, M. (2025). Organized violence "
                "1989-2024, and the challenges of identifying civilian victims. Journal of "
                "Peace Research."
            ),
        ),
        SourceRef(
            dataset="pax",
            title="PA-X Peace Agreements Database",
            version="6",
            citation=(
                "Bell, C. & Badanjak, S. (2019). Introducing PA-X: A new peace agreement "
                "database and dataset. Journal of Peace Research 56(3). PA-X Peace Agreements "
                "Database, version 6, University of Edinburgh."
            ),
        ),
        SourceRef(
            dataset="ushmm-tools",
            title="USHMM Tools for Atrocity Prevention evidence review",
            version="V3 (April 2025)",
            citation=(
                "United States Holocaust Memorial Museum, Simon-Skjodt Center for the "
                "Prevention of Genocide, Tools for Atrocity Prevention (evidence review, "
                "April 2025)."
            ),
        ),
    )
}


def source_of(dataset: str) -> SourceRef:
    """The citation of one of the panel's data sets (a ``KeyError`` names a typo at once)."""
    return DATASETS[dataset]
