"""AES-256-GCM for exchange credentials, with a key ring so keys can be rotated.

Pure crypto: no ORM. The ring comes from ``settings.FLAXU_ENCRYPTION_KEYS``, a comma-separated list
of ``id:base64urlkey`` entries; the first key encrypts, every key decrypts. A stored value is
``nonce || ciphertext+tag`` with the key id kept beside it. Associated data ties each ciphertext to
its owner and field, so a value copied to another row or user fails authentication.

No message raised here ever contains key material or plaintext, and decrypted values come back as
``core.secret.Secret`` (plaintext is only ever a temporary value, never a variable a traceback shows).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from datetime import UTC, datetime
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from core.secret import Secret, reveal

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits, the size GCM is designed for
TAG_BYTES = 16
# Key ids are stored in ExchangeCredential.key_id (max 32) and must not contain the ring separators.
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
# Below this length, showing four characters at each end would reveal too much of the value.
MASK_MIN_LENGTH = 24
MASK_HIDDEN = "••••••••"


class VaultError(Exception):
    """Anything that stops the vault from encrypting or decrypting."""


class KeyRingError(VaultError, ImproperlyConfigured):
    """FLAXU_ENCRYPTION_KEYS is missing or malformed."""


class UnknownKey(VaultError):
    """The value was encrypted with a key id that is not in the ring."""


class TamperedCiphertext(VaultError):
    """Authentication failed: the value was altered, moved, or the key under its id changed."""


class KeyRing:
    """Ordered keys by id; the first one encrypts. Its repr names ids only, never key bytes."""

    __slots__ = ("_keys",)

    def __init__(self, keys: dict[str, bytes]) -> None:
        if not keys:
            raise KeyRingError("The encryption key ring is empty.")
        self._keys = dict(keys)

    @property
    def primary_id(self) -> str:
        return next(iter(self._keys))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def cipher(self, key_id: str) -> AESGCM:
        try:
            return AESGCM(self._keys[key_id])
        except KeyError:
            raise UnknownKey(
                f"Encryption key id '{key_id}' is not in FLAXU_ENCRYPTION_KEYS (ring has: {', '.join(self.ids)}). "
                "Add the old key back to the ring, then run rotate_encryption_key."
            ) from None

    def __repr__(self) -> str:
        return f"<KeyRing primary={self.primary_id!r} ids={list(self.ids)!r}>"


def _decode_key(key_id: str, encoded: str, position: int) -> bytes:
    padded = encoded + "=" * (-len(encoded) % 4)
    try:
        key = base64.urlsafe_b64decode(padded.encode("ascii"))
        # urlsafe_b64decode silently drops stray characters; a strict round trip catches them.
        if base64.urlsafe_b64encode(key).rstrip(b"=") != padded.rstrip("=").encode("ascii"):
            raise ValueError
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise KeyRingError(f"FLAXU_ENCRYPTION_KEYS entry {position} ('{key_id}') is not valid base64url.") from None
    if len(key) != KEY_BYTES:
        raise KeyRingError(
            f"FLAXU_ENCRYPTION_KEYS entry {position} ('{key_id}') decodes to {len(key)} bytes; "
            f"AES-256 needs exactly {KEY_BYTES}."
        )
    return key


@lru_cache(maxsize=8)
def parse_key_ring(raw: str) -> KeyRing:
    """Parse and validate a ring string such as ``"k2:...,k1:..."``; raises KeyRingError."""
    hint = " Generate an entry with: python manage.py generate_encryption_key"
    if not isinstance(raw, str) or not raw.strip():
        raise KeyRingError("FLAXU_ENCRYPTION_KEYS is empty." + hint)
    keys: dict[str, bytes] = {}
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    for position, entry in enumerate(entries, start=1):
        key_id, sep, encoded = entry.partition(":")
        key_id, encoded = key_id.strip(), encoded.strip()
        if not sep or not encoded:
            # Never echo the entry: without a separator it may be a bare key.
            raise KeyRingError(f"FLAXU_ENCRYPTION_KEYS entry {position} is not of the form id:base64key.{hint}")
        if not _KEY_ID.fullmatch(key_id):
            raise KeyRingError(
                f"FLAXU_ENCRYPTION_KEYS entry {position}: the key id must be 1-32 characters of "
                "letters, digits, '.', '_' or '-'."
            )
        if key_id in keys:
            raise KeyRingError(f"FLAXU_ENCRYPTION_KEYS lists the key id '{key_id}' twice; ids must be unique.")
        keys[key_id] = _decode_key(key_id, encoded, position)
    return KeyRing(keys)


def key_ring() -> KeyRing:
    """The ring configured in settings (parsed once per distinct value)."""
    return parse_key_ring(settings.FLAXU_ENCRYPTION_KEYS)


@checks.register(checks.Tags.security)
def check_key_ring(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check: a malformed ring is reported by `manage.py check` and `migrate`, not at first use."""
    try:
        key_ring()
    except KeyRingError as exc:
        return [checks.Error(str(exc), id="flaxu.E001")]
    return []


def credential_aad(owner_id: int, field: str) -> bytes:
    """Associated data binding a credential ciphertext to its owner and field."""
    if not owner_id:
        raise VaultError("A credential must belong to a saved user before it is encrypted.")
    return f"flaxu:credential:{int(owner_id)}:{field}".encode()


def encrypt(plaintext: str | Secret, *, associated_data: bytes, ring: KeyRing | None = None) -> tuple[str, bytes]:
    """Encrypt with the ring's first key; returns ``(key_id, nonce || ciphertext)``."""
    ring = ring or key_ring()
    key_id = ring.primary_id
    nonce = secrets.token_bytes(NONCE_BYTES)  # random per value; never reused with a key in practice
    return key_id, nonce + ring.cipher(key_id).encrypt(nonce, reveal(plaintext).encode("utf-8"), associated_data)


def decrypt(blob: bytes | memoryview, *, key_id: str, associated_data: bytes, ring: KeyRing | None = None) -> Secret:
    """Decrypt a value from :func:`encrypt`; raises UnknownKey or TamperedCiphertext, never returns garbage."""
    ring = ring or key_ring()
    cipher = ring.cipher(key_id)
    data = bytes(blob)  # PostgreSQL hands BinaryField values back as memoryview
    if len(data) < NONCE_BYTES + TAG_BYTES:
        raise TamperedCiphertext(f"Ciphertext under key '{key_id}' is truncated ({len(data)} bytes).")
    try:
        return Secret(cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], associated_data).decode("utf-8"))
    except InvalidTag:
        raise TamperedCiphertext(
            f"Ciphertext under key '{key_id}' failed authentication: it was altered, copied from another "
            "row or user, or the key stored under this id has changed."
        ) from None
    except UnicodeDecodeError:
        raise VaultError("Decrypted value is not UTF-8 text.") from None


def mask(value: str | Secret) -> str:
    """``abcd…wxyz`` for display; values shorter than MASK_MIN_LENGTH are hidden entirely."""
    if len(reveal(value)) < MASK_MIN_LENGTH:
        return MASK_HIDDEN
    return f"{reveal(value)[:4]}…{reveal(value)[-4:]}"


def generate_key_entry(key_id: str | None = None) -> str:
    """A new ring entry ``id:base64urlkey`` with a fresh random 256-bit key."""
    if key_id is None:
        key_id = f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"
    if not _KEY_ID.fullmatch(key_id):
        raise KeyRingError("A key id must be 1-32 characters of letters, digits, '.', '_' or '-'.")
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode('ascii')}"
