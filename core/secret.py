"""A secret value (an exchange API key or secret) that never shows itself.

Error pages, error emails and Sentry show every frame's local variables by ``repr``; a decrypted key in a
plain ``str`` would be printed there. A ``Secret`` prints as ``Secret('********')`` and refuses to be
pickled (so it cannot slip into a cache or a Celery argument). Wrap a value as soon as it is decrypted or
cleaned by a form, pass the ``Secret`` along, and call ``reveal()`` only inside the expression that hands
the value over (to the cipher, to ccxt), never into a variable of its own.
"""

from __future__ import annotations

import hmac
from typing import Any, NoReturn

MASK = "********"


class Secret:
    """Text whose repr and str are masked; ``reveal()`` gives it back. Immutable; compares in constant time."""

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value._value
        if not isinstance(value, str):
            raise TypeError(f"A Secret holds text, not {type(value).__name__}.")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """The plain value: use it inline where it leaves FLAXU's hands, never store it in a variable."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        # A plain str compares too, so tests and callers can check a revealed value without revealing it.
        if isinstance(other, Secret | str):
            theirs = other._value if isinstance(other, Secret) else other
            return hmac.compare_digest(self._value.encode(), theirs.encode())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError("A Secret cannot be changed.")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("A Secret cannot be changed.")

    def __reduce__(self) -> NoReturn:
        raise TypeError("A Secret cannot be pickled: keep it out of caches, sessions and task arguments.")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict) -> Secret:
        return self


def reveal(value: str | Secret) -> str:
    """The plain text of a Secret, or the text itself (for code that accepts both)."""
    return value.reveal() if isinstance(value, Secret) else value
