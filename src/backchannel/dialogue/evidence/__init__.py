"""The evidence panel of the dialogue strategy: base rates from UCDP
Conflict Termination, UCDP Peace Agreement and PA-X data, and the USHMM evidence review's
mediation factors, matched to the case and cut at its start."""

from backchannel.dialogue.evidence.figures import Figure, Scope
from backchannel.dialogue.evidence.panel import (
    EvidencePanel,
    EvidenceSources,
    build_evidence_panel,
)
from backchannel.dialogue.evidence.ushmm import MediationFactor

__all__ = [
    "EvidencePanel",
    "EvidenceSources",
    "Figure",
    "MediationFactor",
    "Scope",
    "build_evidence_panel",
]
