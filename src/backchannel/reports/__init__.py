"""Report models and their rendering to HTML."""
