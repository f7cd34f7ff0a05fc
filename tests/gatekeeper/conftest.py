"""Gatekeeper tests talk to the fake BingX through the real gateway and ccxt; nothing of ours is mocked.

The `bingx` fixture lives in tests/conftest.py (the accounts tests connect keys too).
"""

from __future__ import annotations

from datetime import timedelta


def ago(**kwargs) -> timedelta:
    return timedelta(**kwargs)
