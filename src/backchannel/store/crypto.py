"""Field encryption at rest: AES-256-GCM with a key ring.

Each sealed value is ``bc1.<key id>.<base64url(nonce || ciphertext || tag)>``. The key id
lets a ring hold the old and the new key while ``keys rotate`` re-encrypts. The associated
data binds a ciphertext to the place it belongs (table, case, record, field), so a value
copied into another row or field fails authentication instead of being read as genuine.

Keys come from ``BACKCHANNEL_SECRET_KEY`` (base64 of 32 bytes) or from a key ring file
created with mode 0600 on first use. A ring file readable by others is refused.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backchannel.errors import EncryptionKeyError, IntegrityError
from backchannel.settings import Settings

PREFIX = "bc1"
KEY_BYTES = 32
NONCE_BYTES = 12


def key_id_of(key: bytes) -> str:
    """A short, stable, non-secret name for a key (a domain-separated hash prefix)."""
    return hashlib.sha256(b"backchannel key id\x00" + key).hexdigest()[:16]


def decode_key(text: str, origin: str) -> bytes:
    """Decode a base64 key and check its length; ``origin`` names where it came from."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise EncryptionKeyError(f"{origin} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise EncryptionKeyError(
            f"{origin} decodes to {len(key)} bytes; expected {KEY_BYTES} random bytes in base64 "
            "(make one with: openssl rand -base64 32)"
        )
    return key


def new_key() -> bytes:
    """32 fresh random bytes from the operating system's CSPRNG."""
    return secrets.token_bytes(KEY_BYTES)


@dataclass(frozen=True)
class KeyRing:
    """Keys by id; the first is the active one that new ciphertexts use."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def of(cls, *keys: bytes) -> KeyRing:
        """A ring of these keys, the first active."""
        if not keys:
            raise EncryptionKeyError("a key ring needs at least one key")
        return cls(tuple((key_id_of(k), k) for k in keys))

    @property
    def active_id(self) -> str:
        """Id of the key that encrypts."""
        return self.keys[0][0]

    def key(self, key_id: str) -> bytes:
        """The key with this id, or an error saying the ring lacks it."""
        for candidate_id, key in self.keys:
            if candidate_id == key_id:
                return key
        known = ", ".join(k for k, _ in self.keys)
        raise EncryptionKeyError(
            f"stored data was encrypted with key {key_id}, which is not in the key ring "
            f"(ring holds {known}); restore the right BACKCHANNEL_SECRET_KEY or key file"
        )


class FieldCipher:
    """Seals and opens single field values (any JSON value) for one key ring."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    def seal(self, value: Any, place: str) -> str:
        """Encrypt ``value`` (JSON-serialisable) for storage at ``place``."""
        plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        nonce = secrets.token_bytes(NONCE_BYTES)
        key_id = self.ring.active_id
        sealed = AESGCM(self.ring.key(key_id)).encrypt(nonce, plaintext, place.encode())
        token = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{PREFIX}.{key_id}.{token}"

    def unseal(self, token: str, place: str) -> Any:
        """Decrypt a sealed value; fails loudly if it was altered or moved from ``place``."""
        try:
            prefix, key_id, body = token.split(".", 2)
        except ValueError:
            raise IntegrityError(f"{place}: stored value is not a sealed field") from None
        if prefix != PREFIX:
            raise IntegrityError(f"{place}: unknown sealing format {prefix!r}")
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        try:
            plaintext = AESGCM(self.ring.key(key_id)).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], place.encode()
            )
        except InvalidTag:
            raise IntegrityError(
                f"{place}: sealed value failed authentication "
                "(altered, or moved from another field)"
            ) from None
        return json.loads(plaintext)

    def key_id_of_token(self, token: str) -> str:
        """The key id a sealed value names."""
        return token.split(".", 2)[1]


# --- key ring sources --------------------------------------------------------------------


def load_key_ring(settings: Settings, create: bool = True) -> KeyRing:
    """The key ring from the settings: the environment key, or the key file (made if absent)."""
    if settings.secret_key is not None:
        return KeyRing.of(
            decode_key(settings.secret_key.get_secret_value(), "BACKCHANNEL_SECRET_KEY")
        )
    path = settings.resolved_key_file
    if not path.exists():
        if not create:
            raise EncryptionKeyError(f"no key: set BACKCHANNEL_SECRET_KEY or create {path}")
        write_key_file(path, KeyRing.of(new_key()), exclusive=True)
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
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise EncryptionKeyError(
            f"key file {path} is not a backchannel key ring ({exc}); expected "
            '{"keys": [{"id": ..., "key": base64}]}'
        ) from None
    return KeyRing.of(*keys)


def write_key_file(path: Path, ring: KeyRing, exclusive: bool = False) -> None:
    """Write a key ring with mode 0600, atomically (temp file then rename).

    ``exclusive`` refuses to overwrite an existing ring (first-use creation racing another
    process must not replace the key that process already used).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    document = {
        "format": "backchannel key ring 1",
        "keys": [
            {"id": key_id, "key": base64.b64encode(key).decode(), "created": created}
            for key_id, key in ring.keys
        ],
    }
    data = json.dumps(document, indent=2).encode()
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
