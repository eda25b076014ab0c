"""Dialogue strategy: readiness, modality, engagement risks, monitoring (issue 8)."""
