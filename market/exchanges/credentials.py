"""API credentials as the gateway receives them: key and secret kept as ``Secret``, masked in every repr."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.secret import Secret, reveal

_MASK_MIN_LENGTH = 16


def mask(value: str | Secret) -> str:
    """``abcd…wxyz`` for logs and reprs; short values are hidden entirely."""
    if len(reveal(value)) < _MASK_MIN_LENGTH:
        return "…"
    return f"{reveal(value)[:4]}…{reveal(value)[-4:]}"


@dataclass(frozen=True, slots=True)
class ApiCredentials:
    """A decrypted API key and secret for one exchange account.

    ``api_key`` and ``secret`` are ``core.secret.Secret`` (plain text given here is wrapped), revealed only
    where ccxt receives them (``clients.build``), so no traceback shows them. ``sandbox`` selects BingX
    demo trading (VST). ``ref`` is an opaque label for logs and health records (e.g. "credential 12"); it
    must not contain the key. repr() and str() mask the key and never show the secret.
    """

    api_key: Secret = field(repr=False)
    secret: Secret = field(repr=False)
    sandbox: bool = False
    ref: str = ""

    def __post_init__(self) -> None:
        if not self.api_key or not self.secret:
            raise ValueError("ApiCredentials needs both an API key and a secret.")
        object.__setattr__(self, "api_key", Secret(self.api_key))
        object.__setattr__(self, "secret", Secret(self.secret))

    def __repr__(self) -> str:
        ref = f", ref={self.ref!r}" if self.ref else ""
        return f"ApiCredentials(api_key={mask(self.api_key)!r}, sandbox={self.sandbox}{ref})"

    __str__ = __repr__

    @property
    def label(self) -> str:
        """How logs name this credential: its ref, else the masked key."""
        return self.ref or f"key {mask(self.api_key)}"

    def sensitive_values(self) -> tuple[Secret, Secret]:
        """The values that must be scrubbed from any text leaving the gateway."""
        return (self.api_key, self.secret)
