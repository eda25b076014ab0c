"""Atrocity-risk analysis: structural forecast, UN Framework assessment, fused stage (issues 3 and 5)."""
