"""User names: 1-64 of a-z, 0-9, '.', '_', '-', nothing else (property-based)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backchannel.auth import validate_user_name
from backchannel.errors import InvalidInputError

ALPHABET = string.ascii_lowercase + string.digits + "._-"


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=64))
def test_every_name_of_the_alphabet_up_to_64_is_accepted(name: str) -> None:
    assert validate_user_name(name) == name


@given(st.text(alphabet=ALPHABET, min_size=65, max_size=200))
def test_longer_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInputError, match="not a valid user name"):
        validate_user_name(name)


@given(
    st.text(alphabet=ALPHABET, max_size=30),
    st.characters(blacklist_characters=ALPHABET),
    st.text(alphabet=ALPHABET, max_size=30),
)
def test_any_other_character_anywhere_is_refused(head: str, bad: str, tail: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        validate_user_name(head + bad + tail)
    assert [p.location for p in raised.value.problems] == ["name"]


@given(st.text(max_size=80))
def test_accepted_exactly_when_every_character_is_allowed(name: str) -> None:
    valid = 1 <= len(name) <= 64 and all(c in ALPHABET for c in name)
    try:
        validate_user_name(name)
    except InvalidInputError:
        assert not valid
    else:
        assert valid


@pytest.mark.parametrize(
    "name", ["", "Amina", "amina ", "amina\n", "am ina", "amïna", "a/b", "a@b"]
)
def test_examples_of_refused_names(name: str) -> None:
    with pytest.raises(InvalidInputError, match="lower-case letters"):
        validate_user_name(name)


def test_the_error_names_the_field_asked_for() -> None:
    with pytest.raises(InvalidInputError) as raised:
        validate_user_name("Bad Name", field="user")
    assert raised.value.problems[0].location == "user"
