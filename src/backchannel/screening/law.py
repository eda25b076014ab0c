"""The law that decides a planned engagement's exposure: packaged rules, read and checked.

``data/rules/jurisdictions.yaml`` holds, per jurisdiction, the provisions at stake when an
organisation engages a designated armed group, the designations that bring each one into play,
the exemptions and authorisations that may lift them, and the court decisions that settle how
they read. ``data/rules/activities.yaml`` holds the activities a team may plan and how each
provision treats each one. ``load_law`` reads both and refuses any entry a reader could not
verify: every provision, exemption and authority needs an id, a description in our words, a
precise citation and a primary-source URL, and every activity must say how every provision
treats it, so the assessment never meets a silent gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from backchannel.errors import Problem
from backchannel.rulefiles.yaml_source import read_rule_file
from backchannel.screening.law_model import (
    ALL_ACTIVITIES,
    ANY_ACTOR,
    OBTAIN_LEVELS,
    Activity,
    Authority,
    DesignationRule,
    Detector,
    Exemption,
    ExemptionKind,
    Jurisdiction,
    Law,
    Provision,
    Ruling,
    Treatment,
)

__all__ = [
    "ALL_ACTIVITIES",
    "ANY_ACTOR",
    "PACKAGED_ACTIVITIES",
    "PACKAGED_JURISDICTIONS",
    "Activity",
    "Authority",
    "DesignationRule",
    "Detector",
    "Exemption",
    "ExemptionKind",
    "Jurisdiction",
    "Law",
    "Provision",
    "Ruling",
    "Treatment",
    "load_law",
]

PACKAGED_JURISDICTIONS = "data/rules/jurisdictions.yaml"
PACKAGED_ACTIVITIES = "data/rules/activities.yaml"


def load_law(
    jurisdictions_path: str | Path | None = None, activities_path: str | Path | None = None
) -> Law:
    """Read and check the rules (default: the packaged files); raise on any problem.

    The ``InvalidInputError`` names the file and every problem found in it, each with its
    path and line; the activities are checked only once the jurisdictions file is sound.
    """
    rules_document = read_rule_file(jurisdictions_path, PACKAGED_JURISDICTIONS)
    activities_document = read_rule_file(activities_path, PACKAGED_ACTIVITIES)
    rules = _Reader()
    law_parts = rules.read_rules(rules_document.data)
    if rules.problems:
        rules_document.refuse(rules.problems)
    reader = _Reader()
    activities, obtain = reader.read_activities(activities_document.data, law_parts["provisions"])
    if reader.problems:
        activities_document.refuse(reader.problems)
    return Law(activities=activities, obtain_by_level=obtain, **law_parts)


class _Reader:
    """Reads one rules document, collecting every problem rather than stopping at the first.

    The checks are written by hand rather than as a pydantic model because they depend on
    each other (an exemption's references resolve against the provisions read before it,
    what an authorisation requires depends on its kind); problems are located by path,
    and the document's node tree gives each its line.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # (id, where) of every entry read, per section: ids must not repeat
        self.ids: dict[str, list[tuple[str, str]]] = {}

    # -- whole documents -------------------------------------------------------------------

    def read_rules(self, document: Any) -> dict[str, Any]:
        """The jurisdictions document's parts, as keyword arguments for ``Law``."""
        if not isinstance(document, dict):
            self._problem("", "expected a mapping at the top level")
            document = {}
        primary = tuple(self._strings(document, "primary_sources", "", required=True))
        kinds = self._kinds(document)
        jurisdictions = {j.id: j for j in self._each(document, "jurisdictions", self._jurisdiction)}
        designations = {
            d.id: d
            for d in self._each(document, "designations", self._designation, jurisdictions, primary)
        }
        context = _Context(jurisdictions, designations, primary, kinds)
        provisions = {p.id: p for p in self._each(document, "provisions", self._provision, context)}
        context.provisions = set(provisions)
        exemptions = {e.id: e for e in self._each(document, "exemptions", self._exemption, context)}
        authorities = {
            a.id: a for a in self._each(document, "authorities", self._authority, context)
        }
        self._unique_ids("jurisdictions")
        # designations, provisions, exemptions and authorities are cited by id together
        self._unique_ids("designations", "provisions", "exemptions", "authorities")
        return {
            "as_of": self._date(document, "as_of", "", required=True) or dt.date.min,
            "disclaimer": self._text(document, "disclaimer", ""),
            "primary_sources": primary,
            "organisation_kinds": kinds,
            "jurisdictions": jurisdictions,
            "designations": designations,
            "provisions": provisions,
            "exemptions": exemptions,
            "authorities": authorities,
        }

    def read_activities(
        self, document: Any, provisions: dict[str, Provision]
    ) -> tuple[dict[str, Activity], dict[str, tuple[str, ...]]]:
        """The activities and the to-obtain texts per level, checked against the provisions."""
        if not isinstance(document, dict):
            self._problem("", "expected a mapping at the top level")
            document = {}
        obtain_entry = document.get("obtain_by_level")
        obtain: dict[str, tuple[str, ...]] = {}
        if not isinstance(obtain_entry, dict):
            self._problem(
                "obtain_by_level", f"required: a list of texts for each of {OBTAIN_LEVELS}"
            )
        else:
            for level in OBTAIN_LEVELS:
                obtain[level] = tuple(
                    self._strings(obtain_entry, level, "obtain_by_level", required=True)
                )
        families = {p.family for p in provisions.values() if p.family}
        activities = {
            a.id: a
            for a in self._each(document, "activities", self._activity, provisions, families)
        }
        if not activities:
            self._problem("activities", "required: at least one activity")
        self._unique_ids("activities")
        return activities, obtain

    # -- entries -----------------------------------------------------------------------------

    def _kinds(self, document: dict[str, Any]) -> dict[str, str]:
        """The organisation kinds exemptions may be limited to, each with what it means."""
        entry = document.get("organisation_kinds")
        if not isinstance(entry, dict) or ANY_ACTOR not in entry:
            self._problem(
                "organisation_kinds", f"required: a mapping of kind to meaning, with {ANY_ACTOR!r}"
            )
            return {ANY_ACTOR: "anyone"}
        return {str(k): self._text(entry, str(k), "organisation_kinds") for k in entry}

    def _jurisdiction(self, entry: dict[str, Any], where: str) -> Jurisdiction:
        return Jurisdiction(
            id=self._text(entry, "id", where),
            name=self._text(entry, "name", where),
            reach=self._text(entry, "reach", where),
            always_assessed=self._flag(entry, "always_assessed", where, default=False),
            coverage_note=self._text(entry, "coverage_note", where, required=False) or None,
        )

    def _designation(
        self,
        entry: dict[str, Any],
        where: str,
        jurisdictions: dict[str, Jurisdiction],
        primary: tuple[str, ...],
    ) -> DesignationRule:
        detectors = []
        for index, item in enumerate(entry.get("detected_by") or []):
            spot = f"{where}.detected_by[{index}]"
            if not isinstance(item, dict):
                self._problem(spot, "expected {list_ids, programmes?, reference_prefixes?}")
                continue
            detectors.append(
                Detector(
                    list_ids=tuple(self._strings(item, "list_ids", spot, required=True)),
                    programmes=tuple(self._strings(item, "programmes", spot)),
                    reference_prefixes=tuple(self._strings(item, "reference_prefixes", spot)),
                )
            )
        rule = DesignationRule(
            id=self._text(entry, "id", where),
            jurisdiction=self._known(entry, "jurisdiction", where, jurisdictions),
            name=self._text(entry, "name", where),
            list_name=self._text(entry, "list", where),
            basis=self._text(entry, "basis", where),
            source_url=self._url(entry, where, primary),
            detected_by=tuple(detectors),
            screened_by=tuple(self._strings(entry, "screened_by", where)),
            fallback=self._flag(entry, "fallback", where, default=False),
        )
        if "screened_by" not in entry:
            # an absent key would read as "we hold no list": make the author say so
            self._problem(f"{where}.screened_by", "required: the list ids (or [] for none held)")
        return rule

    def _provision(self, entry: dict[str, Any], where: str, context: _Context) -> Provision:
        provision = Provision(
            id=self._text(entry, "id", where),
            jurisdiction=self._known(entry, "jurisdiction", where, context.jurisdictions),
            title=self._text(entry, "title", where),
            citation=self._text(entry, "citation", where),
            summary=self._text(entry, "summary", where),
            covers=self._text(entry, "covers", where),
            triggers=self._references(
                entry, "triggers", where, context.designations, required=True
            ),
            source_url=self._url(entry, where, context.primary_sources),
            as_of=self._date(entry, "as_of", where, required=True) or dt.date.min,
            verified=self._flag(entry, "verified", where),
            family=self._text(entry, "family", where, required=False) or None,
            effective_from=self._date(entry, "effective_from", where),
            note=self._text(entry, "note", where, required=False) or None,
        )
        self._note_when_unverified(provision.verified, provision.note, where)
        return provision

    def _exemption(self, entry: dict[str, Any], where: str, context: _Context) -> Exemption:
        kind_text = self._text(entry, "kind", where)
        try:
            kind = ExemptionKind(kind_text)
        except ValueError:
            self._problem(f"{where}.kind", f"expected one of {[k.value for k in ExemptionKind]}")
            kind = ExemptionKind.EXEMPTION
        activities = tuple(self._strings(entry, "activities", where, required=True))
        exemption = Exemption(
            id=self._text(entry, "id", where),
            jurisdiction=self._known(entry, "jurisdiction", where, context.jurisdictions),
            kind=kind,
            title=self._text(entry, "title", where),
            citation=self._text(entry, "citation", where),
            summary=self._text(entry, "summary", where),
            applies_to=self._references(
                entry, "applies_to", where, context.provisions, required=True
            ),
            activities=activities,
            who_may_rely=self._text(entry, "who_may_rely", where),
            actors=self._references(entry, "actors", where, context.kinds, required=True),
            conditions=tuple(self._strings(entry, "conditions", where, required=True)),
            source_url=self._url(entry, where, context.primary_sources),
            as_of=self._date(entry, "as_of", where, required=True) or dt.date.min,
            verified=self._flag(entry, "verified", where),
            only_for_designations=self._references(
                entry, "only_for_designations", where, context.designations
            ),
            obtain=self._text(entry, "obtain", where, required=kind is ExemptionKind.AUTHORISATION)
            or None,
            routine=self._flag(
                entry, "routine", where, default=kind is not ExemptionKind.AUTHORISATION
            ),
            effective_from=self._date(entry, "effective_from", where),
            effective_until=self._date(entry, "effective_until", where),
            note=self._text(entry, "note", where, required=False) or None,
        )
        self._note_when_unverified(exemption.verified, exemption.note, where)
        return exemption

    def _authority(self, entry: dict[str, Any], where: str, context: _Context) -> Authority:
        authority = Authority(
            id=self._text(entry, "id", where),
            jurisdiction=self._known(entry, "jurisdiction", where, context.jurisdictions),
            title=self._text(entry, "title", where),
            citation=self._text(entry, "citation", where),
            summary=self._text(entry, "summary", where),
            effect=self._text(entry, "effect", where),
            provisions=self._references(
                entry, "provisions", where, context.provisions, required=True
            ),
            activities=tuple(self._strings(entry, "activities", where, required=True)),
            decided=self._date(entry, "decided", where, required=True) or dt.date.min,
            source_url=self._url(entry, where, context.primary_sources),
            as_of=self._date(entry, "as_of", where, required=True) or dt.date.min,
            verified=self._flag(entry, "verified", where),
            note=self._text(entry, "note", where, required=False) or None,
        )
        self._note_when_unverified(authority.verified, authority.note, where)
        return authority

    def _activity(
        self,
        entry: dict[str, Any],
        where: str,
        provisions: dict[str, Provision],
        families: set[str | None],
    ) -> Activity:
        rulings: dict[str, Ruling] = {}
        treatments = entry.get("treatments")
        if not isinstance(treatments, dict):
            self._problem(f"{where}.treatments", "required: a mapping of provision id to ruling")
            treatments = {}
        for key, value in treatments.items():
            spot = f"{where}.treatments.{key}"
            if key not in provisions and key not in families:
                self._problem(spot, "not a provision id or provision family")
                continue
            if not isinstance(value, dict):
                self._problem(spot, "expected {level, reason}")
                continue
            try:
                treatment = Treatment(str(value.get("level")))
            except ValueError:
                self._problem(f"{spot}.level", f"expected one of {[t.value for t in Treatment]}")
                continue
            rulings[str(key)] = Ruling(treatment, self._text(value, "reason", spot))
        activity = Activity(
            id=self._text(entry, "id", where),
            name=self._text(entry, "name", where),
            description=self._text(entry, "description", where),
            rulings=rulings,
        )
        for provision in provisions.values():
            if activity.ruling_for(provision) is None:
                self._problem(
                    f"{where}.treatments",
                    f"no ruling for provision {provision.id!r}"
                    + (f" (or its family {provision.family!r})" if provision.family else ""),
                )
        return activity

    # -- fields ------------------------------------------------------------------------------

    def _each(self, document: dict[str, Any], key: str, read: Any, *extra: Any) -> list[Any]:
        """Read every entry of a top-level list with ``read(entry, where, *extra)``."""
        items = document.get(key)
        if not isinstance(items, list):
            self._problem(key, "required: a list")
            return []
        out = []
        for index, entry in enumerate(items):
            where = f"{key}[{index}]"
            if not isinstance(entry, dict):
                self._problem(where, "expected a mapping")
                continue
            item = read(entry, where, *extra)
            self.ids.setdefault(key, []).append((item.id, f"{where}.id"))
            out.append(item)
        return out

    def _text(self, entry: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        value = entry.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self._problem(_at(where, key), "required and must not be empty")
            return ""
        if not isinstance(value, str):
            self._problem(_at(where, key), f"expected text, got {value!r}")
            return ""
        return " ".join(value.split())

    def _strings(
        self, entry: dict[str, Any], key: str, where: str, required: bool = False
    ) -> list[str]:
        value = entry.get(key)
        if value is None or value == []:
            if required:
                self._problem(_at(where, key), "required: a non-empty list")
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self._problem(_at(where, key), "expected a list of non-empty texts")
            return []
        return [" ".join(v.split()) for v in value]

    def _references(
        self,
        entry: dict[str, Any],
        key: str,
        where: str,
        known: Iterable[str],
        required: bool = False,
    ) -> tuple[str, ...]:
        values = self._strings(entry, key, where, required=required)
        names = set(known)
        for value in values:
            if value not in names:
                self._problem(_at(where, key), f"unknown id {value!r}")
        return tuple(values)

    def _known(self, entry: dict[str, Any], key: str, where: str, known: Iterable[str]) -> str:
        value = self._text(entry, key, where)
        if value and value not in set(known):
            self._problem(_at(where, key), f"unknown {key} {value!r}")
        return value

    def _date(
        self, entry: dict[str, Any], key: str, where: str, required: bool = False
    ) -> dt.date | None:
        value = entry.get(key)
        if value is None:
            if required:
                self._problem(_at(where, key), "required: a date (YYYY-MM-DD)")
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self._problem(_at(where, key), f"expected a date (YYYY-MM-DD), got {value!r}")
            return None
        return value

    def _flag(
        self, entry: dict[str, Any], key: str, where: str, default: bool | None = None
    ) -> bool:
        value = entry.get(key, default)
        if not isinstance(value, bool):
            self._problem(_at(where, key), "required: true or false")
            return False
        return value

    def _url(self, entry: dict[str, Any], where: str, hosts: tuple[str, ...]) -> str:
        """The entry's ``source_url``, which must be https and, for law, a primary source."""
        url = self._text(entry, "source_url", where)
        if not url:
            return url
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            self._problem(_at(where, "source_url"), f"expected an https URL, got {url!r}")
        elif not _on_host(parts.hostname, hosts):
            self._problem(
                _at(where, "source_url"), f"{parts.hostname!r} is not one of the primary sources"
            )
        return url

    def _note_when_unverified(self, verified: bool, note: str | None, where: str) -> None:
        # an unverified entry must tell the lawyer what to check
        if not verified and not note:
            self._problem(_at(where, "note"), "required when verified is false: what to check")

    def _unique_ids(self, *sections: str) -> None:
        """A problem at every id the sections already used (in this or an earlier one)."""
        seen: dict[str, str] = {}
        for section in sections:
            for identifier, where in self.ids.get(section, []):
                if identifier and identifier in seen:
                    self._problem(
                        where, f"id {identifier!r} is used twice (first at {seen[identifier]})"
                    )
                seen.setdefault(identifier, where)

    def _problem(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))


@dataclass
class _Context:
    """What later sections of the rules document may refer to."""

    jurisdictions: dict[str, Jurisdiction]
    designations: dict[str, DesignationRule]
    primary_sources: tuple[str, ...]
    kinds: dict[str, str]
    provisions: set[str] = field(default_factory=set)


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _on_host(hostname: str, hosts: tuple[str, ...]) -> bool:
    """Whether the host is one of the primary-source hosts or a subdomain of one."""
    return any(hostname == host or hostname.endswith("." + host) for host in hosts)
