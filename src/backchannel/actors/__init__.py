"""Actor graph analyses: entry points, brokers, spoilers, cohesion and influence."""
