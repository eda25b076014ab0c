"""The web workspace's routes: login and logout, the pages, and the JSON API."""
