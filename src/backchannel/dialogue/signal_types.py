"""The shapes every data signal shares: its rule in ``signals.yaml`` and its reading.

Kept apart from the signals themselves so that the modules holding signals
(``signals``, ``own_record_signals``) can each import them without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backchannel.dialogue.inputs import StrategyInputs


class SignalRule(BaseModel):
    """One signal as ``signals.yaml`` describes it: its numbers and their basis."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    description: str = Field(min_length=1)
    direct: bool
    caps: bool = False
    values: dict[str, float] = Field(default_factory=dict)
    basis: str = Field(min_length=1)

    def value(self, name: str) -> float:
        """One of the rule's numbers; ``KeyError`` naming the rule if the file lacks it."""
        try:
            return self.values[name]
        except KeyError:
            raise KeyError(f"signals.yaml: {self.id} has no value {name!r}") from None


class SignalRules(BaseModel):
    """``signals.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    signals: list[SignalRule] = Field(min_length=1)

    def rule(self, signal_id: str) -> SignalRule:
        """The rule of one signal."""
        for rule in self.signals:
            if rule.id == signal_id:
                return rule
        raise KeyError(signal_id)


class Signal(BaseModel):
    """One data reading on one condition."""

    model_config = ConfigDict(frozen=True)

    signal: str
    score: float
    text: str
    read: dict[str, Any] = Field(default_factory=dict)
    direct: bool = False
    caps: bool = False
    #: For a capping signal: what holds the condition down, in a few words; the
    #: condition's action opens with it.
    reason: str = ""


SignalFunction = Callable[[StrategyInputs, SignalRule], Signal | None]
