"""Fixtures for the risk tests: the real CAR GED events."""

from tests.events.conftest import car_events

__all__ = ["car_events"]
