"""Actor graph analyses: entry points, brokers, spoilers, cohesion (issue 6)."""
