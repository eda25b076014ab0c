"""The redaction rules, read from ``data/rules/redaction.yaml``.

Which actor kinds are masked, which relations make their source a channel to be masked,
which fields every redacted output leaves out, and the words that never identify anyone
on their own. Each rule carries its description and the sources it rests on; loading
refuses a rule that cites no source or an unknown one, naming the file, path and line.
"""

from __future__ import annotations

from functools import cache, cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backchannel.errors import Problem
from backchannel.model.vocabulary import ActorKind, RelationKind
from backchannel.redaction.forms import fold
from backchannel.rulefiles.yaml_source import read_rule_file

PACKAGED_RULES = "data/rules/redaction.yaml"

Text = Field(min_length=1)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    """A source a rule rests on, and the point of it the rule draws on."""

    id: str = Text
    point: str = Text


class SourceWork(_Strict):
    """A work the rules cite."""

    title: str = Text
    publisher: str = Text
    note: str = Text
    checked: bool


class Cited(_Strict):
    """A rule that explains itself and names its sources."""

    description: str = Text
    sources: list[Citation] = Field(min_length=1)


class KindRule(Cited):
    """Actors of this kind are masked unless disclosed."""

    kind: ActorKind


class RelationRule(Cited):
    """The source of a relation of this kind to a counterpart is masked unless disclosed."""

    kind: RelationKind


class FieldRule(Cited):
    """A field every redacted output leaves out."""

    record: Literal["actor", "relation", "engagement", "commitment", "judgement", "source"]
    field: str = Text


class Words(_Strict):
    """Words that never identify an actor on their own, by why they do not."""

    function: list[str]
    titles: list[str]
    generic: list[str]
    ordinary: list[str]


class RedactionRules(_Strict):
    """``redaction.yaml``: the whole rule set."""

    sources: dict[str, SourceWork]
    sensitive_kinds: list[KindRule] = Field(min_length=1)
    channel_relations: list[RelationRule] = Field(min_length=1)
    engagement_holders: Cited
    hidden_fields: list[FieldRule]
    words: Words

    @cached_property
    def kinds(self) -> frozenset[ActorKind]:
        """The kinds masked by default."""
        return frozenset(rule.kind for rule in self.sensitive_kinds)

    @cached_property
    def relation_kinds(self) -> frozenset[RelationKind]:
        """The relation kinds that make their source a channel."""
        return frozenset(rule.kind for rule in self.channel_relations)

    def hidden(self, record: str) -> frozenset[str]:
        """The fields of ``record`` (``engagement``, ``source``...) left out when redacted."""
        return frozenset(rule.field for rule in self.hidden_fields if rule.record == record)

    @cached_property
    def particles(self) -> frozenset[str]:
        """Function words (folded): never a form alone, never at the edge of a phrase."""
        return frozenset(fold(word) for word in self.words.function)

    @cached_property
    def title_words(self) -> frozenset[str]:
        """Titles and forms of address (folded)."""
        return frozenset(fold(word) for word in self.words.titles)

    @cached_property
    def generic_words(self) -> frozenset[str]:
        """The vocabulary of organisations, roles and the product's own text (folded)."""
        return frozenset(fold(word) for word in self.words.generic)

    @cached_property
    def ordinary_words(self) -> frozenset[str]:
        """Everyday words, not identifying alone but part of some proper names (folded)."""
        return frozenset(fold(word) for word in self.words.ordinary)


def citation_problems(rules: RedactionRules) -> list[Problem]:
    """Every citation of an unknown source, at its path."""
    problems = []
    cited: list[tuple[str, Cited]] = [
        *((f"sensitive_kinds[{i}]", r) for i, r in enumerate(rules.sensitive_kinds)),
        *((f"channel_relations[{i}]", r) for i, r in enumerate(rules.channel_relations)),
        ("engagement_holders", rules.engagement_holders),
        *((f"hidden_fields[{i}]", r) for i, r in enumerate(rules.hidden_fields)),
    ]
    for where, rule in cited:
        for j, citation in enumerate(rule.sources):
            if citation.id not in rules.sources:
                known = ", ".join(sorted(rules.sources))
                problems.append(
                    Problem(
                        f"{where}.sources[{j}].id",
                        f"{citation.id!r} is not a source of this file; expected one of {known}",
                    )
                )
    return problems


def load_redaction_rules(path: str | Path | None = None) -> RedactionRules:
    """Read and check the rules (default: the packaged file).

    Raises ``InvalidInputError`` naming the file and each problem with its line: an unknown
    key, a kind that is not an actor or relation kind, a rule without a description or a
    source, a citation of a source the file does not list.
    """
    document = read_rule_file(path, PACKAGED_RULES)
    rules = document.validate(RedactionRules)
    problems = citation_problems(rules)
    if problems:
        document.refuse(problems)
    return rules


@cache
def packaged_rules() -> RedactionRules:
    """The packaged rules, read once."""
    return load_redaction_rules()
