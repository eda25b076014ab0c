"""The one condition dialect of the rule files: clauses on named facts.

A clause tests one fact with exactly one test: ``{fact: stage, in: [imminent, ongoing]}``,
``{fact: civilian_deaths_12m, at_least: 1000}``. A rule's ``when`` is a list of clauses,
all of which must hold. The tests:

- ``is`` / ``is_not``: equal / not equal to a value;
- ``in``: one of a list of values;
- ``at_least`` / ``at_most`` / ``below``: a number ``>=`` / ``<=`` / ``<`` the bound;
- ``missing``: ``true`` when the fact is unknown, ``false`` when it is known.

A fact that is unknown (absent or ``None``) fails every test except ``missing: true``, so no
rule fires on a guess. ``true`` and ``false`` are not numbers: a number test on them fails,
and ``is: 1`` does not match ``true`` (nor ``is: true`` the number 1). Each evaluation
returns the facts it read with their values: what a rule's explanation shows as its inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, model_validator

#: A bound of a number test: an integer or a decimal, never ``true``/``false`` or text.
Bound = Annotated[float, Strict()]

TESTS = ("is", "is_not", "in", "at_least", "at_most", "below", "missing")
NUMBER_TESTS = ("at_least", "at_most", "below")


class Clause(BaseModel):
    """One test on one fact; exactly one of the tests is given."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    fact: str = Field(min_length=1)
    is_: Any = Field(default=None, alias="is")
    is_not: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    at_least: Bound | None = None
    at_most: Bound | None = None
    below: Bound | None = None
    missing: Annotated[bool, Strict()] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Self:
        given = [name for name in TESTS if self._bound(name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a clause on {self.fact!r} needs exactly one test of: {', '.join(TESTS)} "
                f"(got {len(given)})"
            )
        return self

    def _bound(self, test: str) -> Any:
        # ``is`` and ``in`` are Python keywords, so their fields carry a trailing underscore
        return getattr(self, f"{test}_" if test in {"is", "in"} else test)

    @property
    def test(self) -> str:
        """The name of the clause's test, as the rule file writes it."""
        return next(name for name in TESTS if self._bound(name) is not None)


def _first_tests_a_number(clauses: list[Clause]) -> list[Clause]:
    if clauses and clauses[0].test not in NUMBER_TESTS:
        raise ValueError(
            "the first clause must test a number (at_least, at_most or below): "
            "the rule reports that measure's value"
        )
    return clauses


#: A rule's ``when`` on measures: at least one clause, the first a number test, because the
#: rule reports the value of the measure its first clause reads.
MeasuredWhen = Annotated[list[Clause], Field(min_length=1), AfterValidator(_first_tests_a_number)]


@dataclass(frozen=True)
class Evaluation:
    """Whether all clauses held, and every fact they read with its value."""

    holds: bool
    read: dict[str, Any]


def clause_holds(clause: Clause, facts: Mapping[str, Any]) -> bool:
    """Whether one clause holds on the facts."""
    value = facts.get(clause.fact)
    if clause.missing is not None:
        return (value is None) is clause.missing
    if value is None:
        return False
    if clause.is_ is not None:
        return _equal(value, clause.is_)
    if clause.is_not is not None:
        return not _equal(value, clause.is_not)
    if clause.in_ is not None:
        return any(_equal(value, allowed) for allowed in clause.in_)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    if clause.at_least is not None:
        return value >= clause.at_least
    if clause.at_most is not None:
        return value <= clause.at_most
    assert clause.below is not None  # the model admits exactly one test
    return value < clause.below


def _equal(value: Any, expected: Any) -> bool:
    # Python holds True == 1; in a rule file a yes/no fact and a count are different things
    return isinstance(value, bool) is isinstance(expected, bool) and bool(value == expected)


def evaluate(clauses: Sequence[Clause], facts: Mapping[str, Any]) -> Evaluation:
    """All clauses on the facts (every clause is read, so every input is reported)."""
    results = [clause_holds(clause, facts) for clause in clauses]
    return Evaluation(all(results), {c.fact: facts.get(c.fact) for c in clauses})


def facts_read(clauses: Sequence[Clause]) -> tuple[str, ...]:
    """The facts the clauses read, each once, in the order they are first read."""
    return tuple(dict.fromkeys(c.fact for c in clauses))


def fill(template: str, facts: Mapping[str, Any]) -> str:
    """A reason template with ``{fact.name}`` placeholders replaced by the facts' values."""
    text = template
    for name, value in facts.items():
        placeholder = "{" + name + "}"
        if placeholder in text:
            shown = f"{value:g}" if isinstance(value, float) else str(value).replace("_", " ")
            text = text.replace(placeholder, shown)
    return " ".join(text.split())


class ReadsMeasures:
    """A rule whose ``when`` reads named measures; the first one is the one it reports."""

    when: tuple[Clause, ...]

    @property
    def measure(self) -> str:
        """The measure the rule reports: the one its first clause reads."""
        return self.when[0].fact

    @property
    def measures(self) -> tuple[str, ...]:
        """Every measure the rule reads, the reported one first."""
        return facts_read(self.when)
