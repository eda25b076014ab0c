"""Keys: created private, refused when exposed or malformed, rotated without losing data."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from backchannel.errors import EncryptionKeyError
from backchannel.settings import Settings
from backchannel.store.crypto import FieldCipher, KeyRing, load_key_ring, new_key, read_key_file
from backchannel.store.keys import NEW_KEY_VARIABLE, rotate
from backchannel.store.service import CaseStore
from tests.store.test_store import SECRET_SENTENCE, raw_contents, secret_case


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=None, key_file=None)
    first = load_key_ring(settings)
    path = tmp_path / "keyring.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key_ring(settings) == first


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=None, key_file=None)
    load_key_ring(settings)
    os.chmod(tmp_path / "keyring.json", 0o644)
    with pytest.raises(EncryptionKeyError, match=r"mode 644.*chmod 600"):
        load_key_ring(settings)


@pytest.mark.parametrize(
    ("value", "words"),
    [("not base64!!", "not valid base64"), (b64(b"short"), "decodes to 5 bytes; expected 32")],
)
def test_malformed_environment_key_is_refused(tmp_path: Path, value: str, words: str) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr(value))
    with pytest.raises(EncryptionKeyError, match=words):
        load_key_ring(settings)


def test_corrupt_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    path.write_text("{}")
    path.chmod(0o600)
    with pytest.raises(EncryptionKeyError, match="not a backchannel key ring"):
        read_key_file(path)


def test_cipher_round_trip_and_place_binding() -> None:
    cipher = FieldCipher(KeyRing.of(new_key()))
    token = cipher.seal(["a", "b"], "case_actors/x/y/aliases")
    assert cipher.unseal(token, "case_actors/x/y/aliases") == ["a", "b"]
    assert cipher.seal(["a", "b"], "p") != cipher.seal(["a", "b"], "p")  # fresh nonce each time


def test_rotation_with_key_file_reencrypts_everything(settings: Settings) -> None:
    store = CaseStore.open(settings)
    store.save_case(secret_case())
    old_ring = load_key_ring(settings)
    store.close()

    result = rotate(settings)
    assert result.values > 0 and result.old_key_id != result.new_key_id

    new_ring = load_key_ring(settings)
    assert [key_id for key_id, _ in new_ring.keys] == [result.new_key_id]
    reopened = CaseStore.open(settings)
    assert reopened.get_case("secret") == secret_case()
    assert reopened.verify_audit().ok
    assert SECRET_SENTENCE not in raw_contents(reopened, settings)
    with pytest.raises(EncryptionKeyError, match="not in the key ring"):
        CaseStore(reopened.engine, old_ring, "old key holder").get_case("secret")
    reopened.close()


def test_rotation_with_environment_key_needs_the_new_key(settings: Settings) -> None:
    old = new_key()
    with_env_key = settings.model_copy(update={"secret_key": SecretStr(b64(old))})
    store = CaseStore.open(with_env_key)
    store.save_case(secret_case())
    store.close()

    with pytest.raises(EncryptionKeyError, match=NEW_KEY_VARIABLE):
        rotate(with_env_key, environ={})
    with pytest.raises(EncryptionKeyError, match="already in use"):
        rotate(with_env_key, environ={NEW_KEY_VARIABLE: b64(old)})

    fresh = new_key()
    result = rotate(with_env_key, environ={NEW_KEY_VARIABLE: b64(fresh)})
    assert result.next_step is not None and "BACKCHANNEL_SECRET_KEY" in result.next_step
    rotated = CaseStore.open(with_env_key.model_copy(update={"secret_key": SecretStr(b64(fresh))}))
    assert rotated.get_case("secret") == secret_case()
    rotated.close()
