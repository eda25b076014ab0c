"""Conflict event data: GED and ACLED readers, coverage, indicators and alerts."""
