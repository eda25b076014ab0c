"""Keys: created private, refused when exposed, malformed or missing, rotated without loss.

Rotation is tried as it happens in practice: with a server process still running on the
old ring (it must go on reading and writing, sealing with the new key), with a writer
busy during the rotation, and with a rotation that fails half-way; after each, the store
is opened afresh (a restart) and every case is exported whole.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import threading
import time
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from backchannel.casefile import dump_case
from backchannel.errors import EncryptionKeyError
from backchannel.settings import Settings
from backchannel.store import keys as keys_module
from backchannel.store.crypto import FieldCipher, KeyRing, new_key
from backchannel.store.keyring_file import backup_key_ring, load_key_ring, read_key_file
from backchannel.store.keys import NEW_KEY_VARIABLE, rotate
from backchannel.store.service import CaseStore
from tests.store.test_store import SECRET_SENTENCE, raw_contents, secret_case


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=None, key_file=None)
    first = load_key_ring(settings, create=True)
    path = tmp_path / "keyring.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key_ring(settings) == first and first.audit_key is not None


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=None, key_file=None)
    load_key_ring(settings, create=True)
    os.chmod(tmp_path / "keyring.json", 0o644)
    with pytest.raises(EncryptionKeyError, match=r"mode 644.*chmod 600"):
        load_key_ring(settings)


@pytest.mark.parametrize(
    ("value", "words"),
    [("not base64!!", "not valid base64"), (b64(b"short"), "decodes to 5 bytes; expected 32")],
)
def test_malformed_environment_key_is_refused(tmp_path: Path, value: str, words: str) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key=SecretStr(value), audit_key=SecretStr(b64(new_key()))
    )
    with pytest.raises(EncryptionKeyError, match=words):
        load_key_ring(settings)


def test_environment_key_without_an_audit_key_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr(b64(new_key())), audit_key=None)
    with pytest.raises(EncryptionKeyError, match="BACKCHANNEL_AUDIT_KEY"):
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
    with_env_key = settings.model_copy(
        update={"secret_key": SecretStr(b64(old)), "audit_key": SecretStr(b64(new_key()))}
    )
    store = CaseStore.open(with_env_key)
    store.save_case(secret_case())
    store.close()

    with pytest.raises(EncryptionKeyError, match=NEW_KEY_VARIABLE):
        rotate(with_env_key, environ={})
    with pytest.raises(EncryptionKeyError, match="already in the ring"):
        rotate(with_env_key, environ={NEW_KEY_VARIABLE: b64(old)})

    fresh = new_key()
    result = rotate(with_env_key, environ={NEW_KEY_VARIABLE: b64(fresh)})
    assert result.next_step is not None and "BACKCHANNEL_SECRET_KEY" in result.next_step
    rotated = CaseStore.open(with_env_key.model_copy(update={"secret_key": SecretStr(b64(fresh))}))
    assert rotated.get_case("secret") == secret_case()
    rotated.close()


def export_all(store: CaseStore) -> dict[str, str]:
    """Every stored case as its YAML export: what a restart must still give, whole."""
    return {summary.id: dump_case(store.get_case(summary.id)) for summary in store.list_cases()}


def assert_whole_after_restart(settings: Settings, expected: dict[str, str]) -> None:
    restarted = CaseStore.open(settings)
    try:
        assert export_all(restarted) == expected
        assert restarted.verify_audit().ok
        assert restarted.verify_contents() == []
        active = restarted.cipher.sealing_key_id
        with restarted.engine.connect() as connection:
            tokens = [
                token
                for (sealed,) in connection.execute(
                    text("SELECT sealed FROM case_actors UNION ALL SELECT sealed FROM cases")
                )
                for token in (json.loads(sealed) if isinstance(sealed, str) else sealed).values()
            ]
        assert tokens and all(token.split(".")[1] == active for token in tokens)
    finally:
        restarted.close()


def test_a_server_running_through_a_rotation_keeps_working(settings: Settings) -> None:
    server = CaseStore.open(settings)  # a server process, started before the rotation
    server.save_case(secret_case("before"))
    rotation = rotate(settings)
    # the server still holds the old ring: it must read and write under the new key
    assert server.get_case("before") == secret_case("before")
    server.save_case(secret_case("after"))
    assert server.cipher.sealing_key_id == rotation.new_key_id
    expected = export_all(server)
    server.close()
    assert_whole_after_restart(settings, expected)


def test_a_writer_busy_during_a_rotation_loses_nothing(settings: Settings) -> None:
    server = CaseStore.open(settings)
    written: list[str] = []
    stop = threading.Event()

    def write() -> None:
        number = 0
        while not stop.is_set() and number < 200:
            server.save_case(secret_case(f"busy-{number}"))
            written.append(f"busy-{number}")
            number += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 2:
            time.sleep(0.01)
        rotate(settings)
    finally:
        stop.set()
        writer.join()
    expected = export_all(server)
    assert set(written) <= set(expected)
    server.close()
    assert_whole_after_restart(settings, expected)


def test_a_server_with_an_environment_key_refuses_to_write_after_rotation(
    settings: Settings,
) -> None:
    with_env_key = settings.model_copy(
        update={"secret_key": SecretStr(b64(new_key())), "audit_key": SecretStr(b64(new_key()))}
    )
    server = CaseStore.open(with_env_key)
    server.save_case(secret_case())
    fresh = new_key()
    rotate(with_env_key, environ={NEW_KEY_VARIABLE: b64(fresh)})
    with pytest.raises(EncryptionKeyError, match="restart it with the new key"):
        server.save_case(secret_case("refused"))
    server.close()
    rotated = with_env_key.model_copy(update={"secret_key": SecretStr(b64(fresh))})
    reopened = CaseStore.open(rotated)
    assert [s.id for s in reopened.list_cases()] == ["secret"]
    reopened.close()


def test_a_rotation_that_fails_half_way_leaves_a_store_that_opens(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = CaseStore.open(settings)
    store.save_case(secret_case())
    expected = export_all(store)
    store.close()

    def crash(*_args: object) -> int:
        raise RuntimeError("power cut while re-sealing")

    monkeypatch.setattr(keys_module, "_values_under_other_keys", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        rotate(settings)
    # the ring kept both keys: the store opens, on its old key, whole
    assert len(read_key_file(settings.resolved_key_file).keys) == 2
    assert_whole_after_restart(settings, expected)
    monkeypatch.undo()
    rotate(settings)
    assert_whole_after_restart(settings, expected)


def test_a_missing_key_ring_beside_sealed_data_is_an_error_not_a_new_key(
    settings: Settings,
) -> None:
    store = CaseStore.open(settings)
    store.save_case(secret_case())
    store.close()
    ring_file = settings.resolved_key_file
    ring_file.unlink()
    with pytest.raises(EncryptionKeyError, match=r"missing.*restore the ring from its backup"):
        CaseStore.open(settings)
    assert not ring_file.exists()  # no fresh key was made


def test_another_ring_is_refused_by_name(settings: Settings, tmp_path: Path) -> None:
    CaseStore.open(settings).close()
    other = Settings(data_dir=tmp_path / "other", database_url=None, secret_key=None)
    load_key_ring(other, create=True)
    settings.resolved_key_file.write_bytes(other.resolved_key_file.read_bytes())
    with pytest.raises(EncryptionKeyError, match=r"audit key .* is not the key"):
        CaseStore.open(settings)


def test_keys_backup_writes_a_private_copy_that_restores_the_store(
    settings: Settings, tmp_path: Path
) -> None:
    store = CaseStore.open(settings)
    store.save_case(secret_case())
    backup = tmp_path / "safe" / "ring-backup.json"
    old_umask = os.umask(0o022)
    try:
        backup_key_ring(store.ring, backup)
    finally:
        os.umask(old_umask)
    store.close()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with pytest.raises(EncryptionKeyError, match="exists already"):
        backup_key_ring(read_key_file(backup), backup)
    settings.resolved_key_file.unlink()
    shutil.copy(backup, settings.resolved_key_file)
    restored = CaseStore.open(settings)
    assert restored.get_case("secret") == secret_case()
    restored.close()
