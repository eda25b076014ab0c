"""Atrocity-risk analysis: structural forecast, UN Framework assessment, fused risk stage."""
