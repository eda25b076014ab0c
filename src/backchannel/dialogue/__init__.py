"""Dialogue strategy: readiness, decision status, modality, engagement risks, the plan."""
