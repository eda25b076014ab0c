"""The web workspace and the static files it serves (interactive actor map, vendored libraries)."""
