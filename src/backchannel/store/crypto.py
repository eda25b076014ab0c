"""Field encryption at rest: AES-256-GCM with a key ring.

Each sealed value is ``bc1.<key id>.<base64url(nonce || ciphertext || tag)>``. The key id
lets a ring hold the old and the new key while ``keys rotate`` re-encrypts. The associated
data binds a ciphertext to the place it belongs (table, case, record, field), so a value
copied into another row or field fails authentication instead of being read as genuine.

A ring also holds the audit key, which never seals anything: it keys the audit chain's
HMAC and, through keys derived from it, the opaque record ids and content digests the
database holds in place of ids and text (``Keyed``). It is not rotated with the data keys,
so that ids and the chain stay stable. Where rings come from: ``keyring_file.py``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from backchannel.errors import EncryptionKeyError, IntegrityError

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
    """Data keys by id (the first is the active one that seals) and the audit key."""

    keys: tuple[tuple[str, bytes], ...]
    audit_key: bytes | None = None

    @classmethod
    def of(cls, *keys: bytes, audit_key: bytes | None = None) -> KeyRing:
        """A ring of these data keys, the first active, with this audit key."""
        if not keys:
            raise EncryptionKeyError("a key ring needs at least one key")
        return cls(tuple((key_id_of(k), k) for k in keys), audit_key)

    @classmethod
    def fresh(cls) -> KeyRing:
        """A new ring: one random data key and a random audit key."""
        return cls.of(new_key(), audit_key=new_key())

    @property
    def active_id(self) -> str:
        """Id of the key that encrypts."""
        return self.keys[0][0]

    @property
    def audit_key_id(self) -> str | None:
        """The audit key's id (``None`` when the ring has no audit key)."""
        return None if self.audit_key is None else key_id_of(self.audit_key)

    def holds(self, key_id: str) -> bool:
        """Whether the ring has the data key with this id."""
        return any(candidate == key_id for candidate, _ in self.keys)

    def key(self, key_id: str) -> bytes:
        """The key with this id, or an error saying the ring lacks it."""
        for candidate_id, key in self.keys:
            if candidate_id == key_id:
                return key
        known = ", ".join(k for k, _ in self.keys)
        raise EncryptionKeyError(
            f"stored data was encrypted with key {key_id}, which is not in the key ring "
            f"(ring holds {known}); restore the key ring from its backup "
            "(backchannel keys backup) or the right BACKCHANNEL_SECRET_KEY"
        )

    def rotated_to(self, fresh: bytes) -> KeyRing:
        """This ring with ``fresh`` active and every current key kept (for re-sealing)."""
        return replace(self, keys=((key_id_of(fresh), fresh), *self.keys))

    def active_only(self) -> KeyRing:
        """This ring without its inactive data keys."""
        return replace(self, keys=self.keys[:1])


class Keyed:
    """Keyed hashes under the audit key: the chain's MAC, opaque record ids, digests.

    Each use has its own key derived from the audit key, so a record id's hash can never
    be mistaken for, or used to forge, an audit entry's MAC.
    """

    def __init__(self, audit_key: bytes) -> None:
        self._chain = _derive(audit_key, b"audit chain")
        self._ids = _derive(audit_key, b"record ids")
        self._digests = _derive(audit_key, b"content digests")

    def chain_mac(self, canonical: bytes) -> str:
        """The MAC of one audit entry's canonical form."""
        return hmac.new(self._chain, canonical, hashlib.sha256).hexdigest()

    def record_ref(self, case_id: str, collection: str, record_id: str) -> str:
        """The opaque id a record is stored and audited under (64 hex digits)."""
        message = "\x00".join((case_id, collection, record_id)).encode()
        return hmac.new(self._ids, message, hashlib.sha256).hexdigest()

    def lookup_key(self, kind: str, text: str) -> str:
        """An opaque, stable key to find rows by ``text`` without storing it in clear."""
        message = f"{kind}\x00{text}".encode()
        return hmac.new(self._ids, message, hashlib.sha256).hexdigest()

    def digest(self, value: Any) -> str:
        """A keyed digest of a JSON value's canonical form: it reveals nothing of the value."""
        canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hmac.new(self._digests, canonical.encode(), hashlib.sha256).hexdigest()


def _derive(key: bytes, purpose: bytes) -> bytes:
    return hmac.new(key, b"backchannel " + purpose, hashlib.sha256).digest()


class FieldCipher:
    """Seals and opens single field values (any JSON value) for one key ring."""

    def __init__(self, ring: KeyRing, reload: Callable[[], KeyRing] | None = None) -> None:
        self.ring = ring
        self.sealing_key_id = ring.active_id
        self._reload = reload

    def refresh(self) -> bool:
        """Read the ring again from where it came from; ``False`` if it cannot be re-read.

        A server keeps running while ``keys rotate`` re-seals the store: values sealed with
        a key it has not seen yet are opened after one re-read.
        """
        if self._reload is None:
            return False
        self.ring = self._reload()
        return True

    def require_active(self, key_id: str) -> None:
        """Seal with ``key_id`` (the store's current key) from now on, or refuse to seal.

        The ring is re-read once when it lacks that key; a ring that still lacks it
        belongs to a process started before a rotation, which must restart.
        """
        if not self.ring.holds(key_id):
            self.refresh()
        if not self.ring.holds(key_id):
            raise EncryptionKeyError(
                f"the store is now sealed with key {key_id}, which this process's key ring "
                f"does not hold (it seals with {self.ring.active_id}): the keys were rotated; "
                "restart it with the new key (nothing was written)"
            )
        self.sealing_key_id = key_id

    def seal(self, value: Any, place: str) -> str:
        """Encrypt ``value`` (JSON-serialisable) for storage at ``place``."""
        plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        nonce = secrets.token_bytes(NONCE_BYTES)
        key_id = self.sealing_key_id
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
        if not self.ring.holds(key_id):
            self.refresh()
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
