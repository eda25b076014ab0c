"""Where key rings come from: the environment, or a key ring file kept with mode 0600.

With ``BACKCHANNEL_SECRET_KEY`` the data key comes from the environment and the audit key
from ``BACKCHANNEL_AUDIT_KEY`` (both required). Otherwise a key ring file holds both. The
file is written atomically with mode 0600 and refused when others can read it. A ring
is created only for a store that holds nothing sealed yet (the caller says so): a missing
ring beside sealed data is an error that says how to restore it, never a fresh key.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import os
import secrets
import stat
from pathlib import Path

from backchannel.errors import EncryptionKeyError
from backchannel.settings import Settings
from backchannel.store.crypto import KeyRing, decode_key, key_id_of
from backchannel.store.files import private_dir

FORMAT = "backchannel key ring 2"


def load_key_ring(settings: Settings, create: bool = False) -> KeyRing:
    """The key ring the settings point at; a new ring file only when ``create``."""
    if settings.secret_key is not None:
        if settings.audit_key is None:
            raise EncryptionKeyError(
                "BACKCHANNEL_SECRET_KEY is set but BACKCHANNEL_AUDIT_KEY is not: give the audit "
                "key too (base64 of 32 random bytes, e.g. openssl rand -base64 32); it keys the "
                "audit chain and is never rotated with the secret key"
            )
        return KeyRing.of(
            decode_key(settings.secret_key.get_secret_value(), "BACKCHANNEL_SECRET_KEY"),
            audit_key=decode_key(settings.audit_key.get_secret_value(), "BACKCHANNEL_AUDIT_KEY"),
        )
    path = settings.resolved_key_file
    if not path.exists():
        if not create:
            raise EncryptionKeyError(f"no key ring: {path} does not exist")
        write_key_file(path, KeyRing.fresh(), exclusive=True)
    return read_key_file(path)


def read_key_file(path: Path) -> KeyRing:
    """Read a key ring file, refusing one that others can read."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise EncryptionKeyError(
            f"key file {path} has mode {mode:o}; others must not read it (chmod 600 {path})"
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        entries = document["keys"]
        keys = [
            decode_key(entry["key"], f"{path}: keys[{i}].key") for i, entry in enumerate(entries)
        ]
        audit_entry = document.get("audit_key")
        audit_key = (
            None
            if audit_entry is None
            else decode_key(audit_entry["key"], f"{path}: audit_key.key")
        )
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise EncryptionKeyError(
            f"key file {path} is not a backchannel key ring ({exc}); expected "
            '{"keys": [{"id": ..., "key": base64}], "audit_key": {"key": base64}}'
        ) from None
    return KeyRing.of(*keys, audit_key=audit_key)


def ring_document(ring: KeyRing) -> bytes:
    """The ring as the JSON a key ring file holds."""
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    document: dict[str, object] = {
        "format": FORMAT,
        "keys": [
            {"id": key_id, "key": base64.b64encode(key).decode(), "created": created}
            for key_id, key in ring.keys
        ],
    }
    if ring.audit_key is not None:
        document["audit_key"] = {
            "id": key_id_of(ring.audit_key),
            "key": base64.b64encode(ring.audit_key).decode(),
        }
    return json.dumps(document, indent=2).encode()


def write_key_file(path: Path, ring: KeyRing, exclusive: bool = False) -> None:
    """Write a key ring with mode 0600, atomically (temp file then rename).

    ``exclusive`` refuses to overwrite an existing ring (first-use creation racing another
    process must not replace the key that process already used).
    """
    private_dir(path.parent)
    data = ring_document(ring)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            # another process may have created it first: then keep and use theirs
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        else:
            os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def backup_key_ring(ring: KeyRing, target: Path) -> None:
    """Write the ring to ``target`` with mode 0600; an existing file is never overwritten."""
    if target.exists():
        raise EncryptionKeyError(f"{target} exists already: choose a new file for the backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise EncryptionKeyError(f"{target} exists already: choose a new file") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(ring_document(ring))
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(target, 0o600)  # whatever the umask
