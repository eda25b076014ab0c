"""Password hashing: Argon2id, salted, strict about length, never raising on a mismatch."""

from __future__ import annotations

import unicodedata

import pytest
from argon2 import PasswordHasher

from backchannel.auth.passwords import (
    MIN_LENGTH,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from backchannel.errors import InvalidInputError

PASSWORD = "correct horse battery staple"

#: These tests check the production parameters themselves.
pytestmark = pytest.mark.real_argon2


def test_hash_is_argon2id_with_the_rfc_9106_parameters() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored


def test_each_hash_has_its_own_salt() -> None:
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


def test_the_right_password_verifies() -> None:
    assert verify_password(hash_password(PASSWORD), PASSWORD) is True


@pytest.mark.parametrize(
    "attempt",
    ["", "correct horse battery stapl", "Correct horse battery staple", PASSWORD + " ", "x" * 200],
)
def test_a_wrong_password_is_false_not_an_error(attempt: str) -> None:
    assert verify_password(hash_password(PASSWORD), attempt) is False


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not a hash",
        "$2b$12$abcdefghijklmnopqrstuuvwxyz012345678901234567890123",  # bcrypt
        "$argon2id$v=19$m=65536,t=3,p=4$broken",
    ],
)
def test_a_damaged_or_foreign_stored_hash_never_matches(stored: str) -> None:
    assert verify_password(stored, PASSWORD) is False
    assert needs_rehash(stored) is True


@pytest.mark.parametrize("length", [0, 1, MIN_LENGTH - 1])
def test_short_passwords_are_refused_naming_the_field(length: int) -> None:
    with pytest.raises(InvalidInputError) as raised:
        hash_password("p" * length)
    assert [p.location for p in raised.value.problems] == ["password"]
    assert "at least 12 characters" in raised.value.message


def test_length_counts_characters_not_bytes() -> None:
    assert MIN_LENGTH == 12
    assert verify_password(hash_password("p" * 12), "p" * 12)
    assert verify_password(hash_password("é" * 12), "é" * 12)  # 24 bytes, 12 characters
    with pytest.raises(InvalidInputError):
        hash_password("é" * 11)


def test_the_same_letters_typed_as_other_code_points_still_match() -> None:
    composed = "Ngozi Okonjo-Iweala née 2024"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert verify_password(hash_password(composed), decomposed)


def test_needs_rehash_spots_weaker_parameters() -> None:
    assert needs_rehash(hash_password(PASSWORD)) is False
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    assert needs_rehash(weak) is True
    assert verify_password(weak, PASSWORD)  # still opens, so the login can upgrade it


def test_the_dummy_hash_is_argon2id_and_stable() -> None:
    assert dummy_hash() is dummy_hash()
    assert dummy_hash().startswith("$argon2id$")
    assert not verify_password(dummy_hash(), PASSWORD)
