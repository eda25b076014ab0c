"""Conflict event data: GED and ACLED readers, indicators and alerts (issue 4)."""
