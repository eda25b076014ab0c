"""Who a redacted output masks and how: the rules, the labels, the record ids, the rule file,
and every example case."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from backchannel.casefile import load_case
from backchannel.errors import InvalidInputError
from backchannel.model.case import Actor, Case, Context, Engagement, Period, Relation, Source
from backchannel.redaction import WITHHELD, Disclosure, load_redaction_rules
from backchannel.redaction.forms import joined
from backchannel.redaction.rules import PACKAGED_RULES
from tests.conftest import EXAMPLES, REPO

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def _case(
    actors: list[dict[str, Any]], relations: Sequence[dict[str, Any]] = (), **more: Any
) -> Case:
    return Case(
        id="c",
        context=Context(title="A case", country="CAF", period=Period(start="2013-01-01")),
        actors=[Actor.model_validate(a) for a in actors],
        relations=[Relation.model_validate(r) for r in relations],
        **more,
    )


GROUP = {"id": "group", "name": "Armed Group Alpha", "kind": "armed_group"}
OURS = {"id": "us", "name": "Our organisation", "kind": "own_organisation"}


# ------------------------------------------------------------------ who is masked


@pytest.mark.parametrize(
    ("kind", "masked"),
    [
        ("intermediary", True),
        ("religious_leader", True),
        ("community_leader", True),
        ("civil_society", True),
        ("diaspora", True),
        ("government", False),
        ("international_actor", False),
        ("leader", False),
        ("state_force", False),
        ("armed_group", False),
        ("own_organisation", False),
    ],
)
def test_sensitive_kinds_are_masked_by_default(kind: str, masked: bool) -> None:
    case = _case([GROUP, {"id": "x", "name": "Someone Zebulon", "kind": kind}])
    assert Disclosure.of(case).is_masked("x") is masked


@pytest.mark.parametrize(
    ("relation", "masked"),
    [
        ("channel", True),
        ("negotiates_with", True),
        ("influences", True),
        ("allied", False),
        ("fights", False),
        ("funds", False),
        ("commands", False),
    ],
)
def test_a_channel_to_a_counterpart_is_masked_whatever_its_kind(
    relation: str, masked: bool
) -> None:
    agency = {"id": "agency", "name": "Relief Agency Zeta", "kind": "international_actor"}
    tie = {"id": "r1", "source": "agency", "target": "group", "kind": relation}
    case = _case([GROUP, agency], [tie])
    assert Disclosure.of(case).is_masked("agency") is masked


def test_a_channel_to_someone_who_is_no_counterpart_is_not_masked() -> None:
    agency = {"id": "agency", "name": "Relief Agency Zeta", "kind": "international_actor"}
    state = {"id": "gov", "name": "Government of Ruritania", "kind": "government"}
    case = _case(
        [GROUP, agency, state],
        [{"id": "r", "source": "agency", "target": "gov", "kind": "channel"}],
    )
    assert not Disclosure.of(case).is_masked("agency")
    # unless a user names that actor as the counterpart
    assert Disclosure.of(case, counterparts=["gov"]).is_masked("agency")


def test_our_organisation_and_the_counterpart_itself_are_never_masked() -> None:
    other = {"id": "other", "name": "Militia Beta", "kind": "militia"}
    ties = [
        {"id": "r1", "source": "us", "target": "group", "kind": "channel"},
        {"id": "r2", "source": "other", "target": "group", "kind": "negotiates_with"},
    ]
    shown = Disclosure.of(_case([GROUP, OURS, other], ties))
    assert not shown.masked


def test_whoever_held_an_engagement_with_a_counterpart_is_masked() -> None:
    envoy = {"id": "envoy", "name": "Special Envoy Quill", "kind": "international_actor"}
    talk = Engagement(
        id="e1", date="2013-02-01", channel="direct", by="envoy", counterparts=["group"]
    )
    shown = Disclosure.of(_case([GROUP, envoy], engagements=[talk]))
    assert shown.is_masked("envoy")
    assert "held an engagement" in " ".join(shown.masked["envoy"].reasons)


def test_a_disclosed_actor_is_named_and_its_reason_kept() -> None:
    mediator = {
        "id": "med",
        "name": "Regional Mediation Omega",
        "kind": "intermediary",
        "disclosed": True,
        "disclosed_reason": "Named as mediator in the agreement text.",
    }
    shown = Disclosure.of(_case([GROUP, mediator]))
    assert not shown.is_masked("med") and "med" in shown.disclosed
    assert shown.mask_text("Regional Mediation Omega chaired") == "Regional Mediation Omega chaired"


# ------------------------------------------------------------------ labels and ids


def test_labels_are_numbered_per_kind_in_case_order_and_stable() -> None:
    actors = [
        GROUP,
        {"id": "a", "name": "Zebulon Quarrie", "kind": "intermediary"},
        {"id": "b", "name": "Imam Yusuf Okonkwo", "kind": "religious_leader"},
        {"id": "c", "name": "Wendeline Pross", "kind": "intermediary"},
    ]
    case = _case(actors)
    labels = {m.id: m.label for m in Disclosure.of(case).masked.values()}
    assert labels == {"a": "Intermediary 1", "b": "Religious leader 1", "c": "Intermediary 2"}
    assert labels == {m.id: m.label for m in Disclosure.of(case).masked.values()}
    text = "Quarrie met Okonkwo, then Wendeline Pross met Zebulon Quarrie."
    assert Disclosure.of(case).mask_text(text) == (
        "Intermediary 1 met Religious leader 1, then Intermediary 2 met Intermediary 1."
    )


def test_titles_and_lists_of_one_actor_collapse_into_one_label() -> None:
    platform = {
        "id": "p",
        "name": "Peace Platform (Archbishop Jean Quarrie, Imam Yusuf Okonkwo)",
        "kind": "religious_leader",
    }
    shown = Disclosure.of(_case([GROUP, platform]))
    assert shown.mask_text("as Archbishop Quarrie and Imam Okonkwo said") == (
        "as Religious leader 1 said"
    )
    assert shown.mask_text(
        "The Peace Platform (Archbishop Jean Quarrie, Imam Yusuf Okonkwo) met."
    ) == ("The Religious leader 1 met.")


def test_a_label_never_collides_with_a_name_or_id_of_the_case() -> None:
    # a map read back from a redacted export already holds label-like names and ids
    actors = [
        GROUP,
        {"id": "intermediary-1", "name": "Intermediary 2", "kind": "intermediary"},
        {"id": "intermediary-2", "name": "Intermediary 1", "kind": "intermediary"},
    ]
    shown = Disclosure.of(_case(actors))
    labels = [m.label for m in shown.masked.values()]
    assert len(set(labels)) == 2
    for label in labels:
        assert shown.leaks_in(label) == []
        assert shown.mask_text(label) == label


def test_record_ids_become_opaque_labels_in_fields_and_in_text() -> None:
    actors = [GROUP, {"id": "gov-x", "name": "Government of Ruritania", "kind": "government"}]
    ties = [{"id": "r-gov-fights-group", "source": "gov-x", "target": "group", "kind": "fights"}]
    shown = Disclosure.of(_case(actors, ties))
    assert shown.record_label("r-gov-fights-group") == "relation-1"
    assert shown.record_label("gov-x") == "actor-1"
    # an id that only repeats a public name tells nothing more: it stays
    assert shown.record_label("group") == "group"
    document = {"source": "gov-x", "why": "see r-gov-fights-group and gov-x"}
    assert shown.redact(document) == {"source": "actor-1", "why": "see relation-1 and actor-1"}


def test_a_record_view_leaves_out_hidden_fields_and_names_the_masked_by_label() -> None:
    case = load_case(EXAMPLES / "central-african-republic-2013.yaml")
    shown = Disclosure.of(case)
    platform = shown.record_view(case.actor("interfaith-platform"))
    assert platform["name"] == "Religious leader 1" and platform["aliases"] == []
    assert platform["notes"] == WITHHELD and platform["id"] == "religious-leader-1"
    assert platform["references"] == [WITHHELD]
    rome = shown.record_view(next(e for e in case.engagements if e.id == "e-rome-santegidio"))
    assert rome["location"] == WITHHELD and rome["participants"] == [WITHHELD]
    assert rome["by"] == "intermediary-1" and rome["id"].startswith("engagement-")
    source = next(s for s in case.sources if s.id.startswith("santegidio"))
    assert shown.record_view(source, hidden=None)["url"] is None


# ------------------------------------------------------------------ the example cases


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_masks_its_discreet_channels_and_names_only_disclosed_ones(
    path: Path,
) -> None:
    case = load_case(path)
    shown = Disclosure.of(case)
    assert shown.masked, "each example keeps a discreet channel masked"
    for actor in case.actors:
        if actor.disclosed:
            assert actor.disclosed_reason and not shown.is_masked(actor.id)
    for actor_id, masked in shown.masked.items():
        actor = case.actor(actor_id)
        for text in (actor.name, *actor.aliases):
            assert masked.label in shown.mask_text(f"talks with {text} went on")
            assert shown.leaks_in(shown.mask_text(text)) == []


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_masking_an_example_leaves_its_unmasked_names_alone(path: Path) -> None:
    case = load_case(path)
    shown = Disclosure.of(case)
    for actor in case.actors:
        if shown.is_masked(actor.id):
            continue
        for text in (actor.name, *actor.aliases):
            if text == "Abu Mansur":
                continue
            assert shown.mask_text(text) == text, text


def test_the_car_example_hides_every_spelling_of_its_channels() -> None:
    shown = Disclosure.of(load_case(EXAMPLES / "central-african-republic-2013.yaml"))
    for spelling in (
        "Sant'Egidio",
        "Sant-Egidio",
        "Sant Egidio",
        "santegidio",
        "Communauté de Sant'Egidio",
        "archive.santegidio.org",
        "Nzapalainga",
        "Mgr NZAPALAÏNGA",
        "Kobine Layama",
        "Imam Layama",
        "Guerekoyamene",
        "Interfaith Peace Platform",
        "PCRC",
    ):
        assert shown.leaks_in(spelling), spelling
        assert shown.leaks_in(shown.mask_text(spelling)) == [], spelling
    # common words of their names stay readable
    for word in ("Community", "Platform", "Peace", "the", "Archbishop", "Council", "Church"):
        assert shown.mask_text(f"the {word} met") == f"the {word} met"
    # the ECCAS mediation's role was public, so it is named
    assert not shown.is_masked("eccas-mediation")
    assert shown.mask_text("ECCAS mediator") == "ECCAS mediator"


# ------------------------------------------------------------------ the rule file


def test_every_rule_has_a_description_and_a_known_source() -> None:
    rules = load_redaction_rules()
    cited = [*rules.sensitive_kinds, *rules.channel_relations, rules.engagement_holders]
    cited += rules.hidden_fields
    for rule in cited:
        assert rule.description.strip() and rule.sources
        assert all(c.id in rules.sources and c.point.strip() for c in rule.sources)
    assert {k.value for k in rules.kinds} == {
        "intermediary",
        "religious_leader",
        "community_leader",
        "civil_society",
        "diaspora",
    }


def test_no_listed_word_is_in_a_label() -> None:
    rules = load_redaction_rules()
    words = rules.particles | rules.title_words | rules.generic_words | rules.ordinary_words
    for word in ("intermediary", "religious", "leader", "actor", "relation", "source"):
        assert word in words


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("  - kind: diaspora\n", "  - kind: exiles\n", "sensitive_kinds[4].kind"),
        (
            '    sources:\n      - {id: cchn-2019, point: "tool 12: leveraging influence"}\n',
            '    sources:\n      - {id: nowhere, point: "tool 12: leveraging influence"}\n',
            "channel_relations[2].sources[0].id",
        ),
        (
            "  - kind: channel\n    description: The source",
            "  - kind: channel\n    colour: The source",
            "channel_relations[0].colour",
        ),
    ],
)
def test_a_broken_rule_file_is_refused_with_its_path_and_line(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    text = (REPO / "src" / "backchannel" / PACKAGED_RULES).read_text("utf-8")
    assert old in text
    path = tmp_path / "redaction.yaml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(InvalidInputError) as caught:
        load_redaction_rules(path)
    assert caught.value.source == str(path)
    assert any(p.location == where and p.line for p in caught.value.problems), caught.value


def test_a_source_address_is_a_leak_and_is_dropped() -> None:
    source = Source(id="s1", title="A report", url="https://example.org/a-report")
    shown = Disclosure.of(_case([GROUP], sources=[source]))
    assert shown.leaks_in("see https://example.org/a-report") != []
    assert shown.record_view(source, hidden=None)["url"] is None
    assert joined("Intermediary 1") == "intermediary1"
