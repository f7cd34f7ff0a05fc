"""pytest fixtures for the fake BingX. Register with ``pytest_plugins = ["tests.fakes.bingx.fixtures"]``.

- ``fake_bingx_server``: one ``FakeBingX`` per test session (session scope).
- ``fake_bingx``: the same server, reset to a clean state (no accounts, faults or recorded requests;
  initial mark prices) before each test (function scope).
"""

from __future__ import annotations

import pytest

from .scenario import FakeBingX


@pytest.fixture(scope="session")
def fake_bingx_server():
    fake = FakeBingX(port=0)
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_bingx(fake_bingx_server):
    fake_bingx_server.reset()
    yield fake_bingx_server
    fake_bingx_server.reset()
