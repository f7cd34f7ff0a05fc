"""Lock-outs and throttles live in the cache; a flood of unrelated cache writes must not erase them.

Django's file cache (the no-Redis mode) used to drop a random third of its entries at 300, so a locked
account could log in again after enough other writes (e.g. failed logins on other accounts).
"""

from __future__ import annotations

from django.core.cache import cache, caches
from django.test import Client

# Well past Django's default MAX_ENTRIES (300): with random culling a given entry survives this rarely.
UNRELATED_WRITES = 1500


def fill_cache_with_unrelated_entries() -> None:
    for number in range(UNRELATED_WRITES):
        cache.set(f"pressure:{number}", {"price": number}, timeout=600)


def test_a_locked_out_account_stays_locked_after_many_unrelated_cache_writes(client, user, password):
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})

    fill_cache_with_unrelated_entries()

    # The right password, from another address: only the account's own lock-out can refuse it.
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    refused = elsewhere.post("/accounts/login/", {"login": user.email, "password": password})
    assert "Too many failed login attempts" in refused.content.decode()
    assert elsewhere.get("/dashboard/").status_code == 302


def test_a_throttled_api_user_stays_throttled_after_many_unrelated_cache_writes(client, user, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"api": "3/15m", "auth": "5/15m", "trading": "10/m"})
    client.force_login(user)
    assert [client.get("/api/me/").status_code for _ in range(4)] == [200, 200, 200, 429]

    fill_cache_with_unrelated_entries()

    assert client.get("/api/me/").status_code == 429


def test_the_file_cache_sweeps_expired_entries_and_never_culls_live_ones(settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ExpiringFileBasedCache",
            "LOCATION": str(tmp_path),
            "OPTIONS": {"MAX_ENTRIES": 50, "CHECK_EVERY_SECONDS": 0},
        }
    }
    small = caches["default"]
    for number in range(60):
        small.set(f"expired:{number}", number, timeout=-1)  # already expired when written
    assert len(small._list_cache_files()) < 50

    for number in range(80):
        small.set(f"live:{number}", number, timeout=600)
    assert all(small.get(f"live:{number}") == number for number in range(80))
