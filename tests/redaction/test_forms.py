"""The forms of a name and finding them: folding, partial forms, masking, as properties."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backchannel.redaction import Disclosure
from backchannel.redaction.forms import Matcher, Vocabulary, fold, joined, name_forms, tokens
from backchannel.redaction.rules import packaged_rules

RULES = packaged_rules()
VOCABULARY = Vocabulary(
    particles=RULES.particles,
    titles=RULES.title_words,
    generic=RULES.generic_words,
    ordinary=RULES.ordinary_words,
)


def _forms(*texts: str, public: frozenset[str] = frozenset()) -> set[str]:
    vocabulary = Vocabulary(
        VOCABULARY.particles, VOCABULARY.titles, VOCABULARY.generic, VOCABULARY.ordinary, public
    )
    return set(name_forms(texts, vocabulary))


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Séléka", "seleka"),
        ("GUÉRÉKOYAMÉNÉ", "guerekoyamene"),
        ("Ngaïssona", "ngaissona"),
        ("Søren Łukasz", "soren lukasz"),
        ("Straße", "strasse"),
        ("Œuvre", "oeuvre"),
    ],
)
def test_fold_removes_accents_and_case(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    "written",
    [
        "Sant'Egidio",
        "Sant\u2019Egidio",
        "Sant-Egidio",
        "Sant Egidio",
        "santegidio",
        "SANT EGIDIO",
        "SantEgidio",
        "Sant.Egidio",
        "Sant_Egidio",
    ],
)
def test_every_spelling_of_a_name_folds_to_one_form(written: str) -> None:
    assert joined(written) == "santegidio"


def test_tokens_keep_their_place_in_the_text_and_split_digits_from_letters() -> None:
    text = "at Sant'Egidio2013, Rome"
    found = tokens(text)
    assert [t.text for t in found] == ["at", "sant", "egidio", "2013", "rome"]
    assert [text[t.start : t.end] for t in found] == ["at", "Sant", "Egidio", "2013", "Rome"]


# Which partial forms identify: table-driven, one row per kind of name.
@pytest.mark.parametrize(
    ("names", "present", "absent"),
    [
        (
            ["Community of Sant'Egidio", "Sant'Egidio"],
            {"communityofsantegidio", "santegidio", "egidio"},
            {"community", "of", "sant", "communityof"},
        ),
        (
            ["Archbishop Dieudonné Nzapalainga"],
            {"nzapalainga", "dieudonne", "dieudonnenzapalainga", "archbishopdieudonnenzapalainga"},
            {"archbishop"},
        ),
        (
            ["Rev. Nicolas Guérékoyaméné-Gbangou"],
            {"guerekoyamene", "gbangou", "guerekoyamenegbangou", "nicolas"},
            {"rev"},
        ),
        (
            ["International Committee of the Red Cross (ICRC)"],
            {"icrc", "redcross", "internationalcommitteeoftheredcross"},
            {"red", "cross", "international", "committee", "internationalcommittee"},
        ),
        (
            ["World Food Programme (WFP)"],
            {"wfp", "worldfood", "worldfoodprogramme"},
            {"world", "food", "programme"},
        ),
        (
            ["Interfaith Peace Platform"],
            {"interfaith", "interfaithpeaceplatform"},
            {"peace", "platform", "peaceplatform"},
        ),
        (
            ["Council of Religious Leaders"],
            {"councilofreligiousleaders"},
            {"council", "religious", "leaders", "religiousleaders"},
        ),
        (
            ["Clan elders and local community committees in southern Somalia"],
            {"clanelders" + "andlocalcommunitycommitteesinsouthernsomalia"},
            {"clan", "elders", "localcommunity", "communitycommittees"},
        ),
        (
            ["Government of Norway (guarantor)"],
            {"norway", "governmentofnorway"},
            {"government", "guarantor"},
        ),
    ],
)
def test_partial_forms_are_the_identifying_ones(
    names: list[str], present: set[str], absent: set[str]
) -> None:
    forms = _forms(*names)
    assert present <= forms, present - forms
    assert not absent & forms, absent & forms


def test_places_and_public_names_are_not_partial_forms() -> None:
    public = frozenset({"somalia", "congo"})
    forms = _forms("Mediation of the Republic of Congo", public=public)
    assert "congo" not in forms and "mediationoftherepublicofcongo" in forms


def test_a_word_in_a_label_is_never_a_form() -> None:
    for label in ("Intermediary 1", "Religious leader 2", "International actor 3"):
        assert not _forms(f"The {label.split()[0]} Office") & {t.text for t in tokens(label)}


# ------------------------------------------------------------------ the matcher


def test_the_matcher_finds_forms_however_they_are_joined() -> None:
    matcher = Matcher({"santegidio": "s", "nzapalainga": "p"})
    for text in (
        "talks at Sant Egidio",
        "https://archive.santegidio.org/pageID/3",
        "SANT-EGIDIO said",
        "#NzapalaingaOfficial",
        "Mgr NZAPALAÏNGA",
    ):
        assert matcher.find(text), text
    assert not matcher.find("Sant Egidius and Nzapa")


# ------------------------------------------------------------------ masking, as properties

NAME_WORD = st.text(alphabet=string.ascii_letters + "éèçïö", min_size=4, max_size=10).map(
    str.capitalize
)
NAMES = st.lists(NAME_WORD, min_size=1, max_size=4).map(" ".join)
FILLER = st.text(alphabet=string.ascii_lowercase + " ,.;:()'-\n", max_size=40)


def _case_with(name: str) -> Disclosure:
    from backchannel.model.case import Actor, Case, Context, Period

    actor = Actor(id="go-between", name=name, kind="intermediary")
    context = Context(title="A case", country="SOM", period=Period(start="2011-01-01"))
    return Disclosure.of(Case(id="c", context=context, actors=[actor]))


def _spelled(name: str, how: int) -> str:
    """``name`` written as texts write it: shouted, folded, hyphenated, glued, in a URL."""
    return [
        name,
        name.upper(),
        fold(name),
        name.replace(" ", "-"),
        name.replace(" ", ""),
        f"https://www.{fold(name).replace(' ', '')}.org/news",
    ][how]


@settings(max_examples=150, deadline=None)
@given(name=NAMES, before=FILLER, after=FILLER, how=st.integers(0, 5))
def test_any_text_holding_a_masked_name_comes_out_without_it(
    name: str, before: str, after: str, how: int
) -> None:
    disclosure = _case_with(name)
    assume(joined(name) not in disclosure.mask_text(before + " " + after).replace(" ", ""))
    text = f"{before} {_spelled(name, how)} {after}"
    masked = disclosure.mask_text(text)
    assert joined(name) not in joined(masked)
    assert disclosure.leaks_in(masked) == []
    assert "Intermediary 1" in masked


@settings(max_examples=150, deadline=None)
@given(name=NAMES, text=st.lists(NAMES | FILLER, max_size=6).map(" ".join))
def test_masking_twice_changes_nothing(name: str, text: str) -> None:
    disclosure = _case_with(name)
    once = disclosure.mask_text(f"{text} {name} {text}")
    assert disclosure.mask_text(once) == once
    assert disclosure.leaks_in(once) == []


@settings(max_examples=100, deadline=None)
@given(text=FILLER)
def test_text_without_a_masked_name_is_left_as_it_is(text: str) -> None:
    disclosure = _case_with("Nzapalainga Kobine")
    assume("nzapalainga" not in joined(text) and "kobine" not in joined(text))
    assert disclosure.mask_text(text) == text
