"""The fake BingX fixtures for tests in this directory (the project-wide registration is
``pytest_plugins = ["tests.fakes.bingx.fixtures"]`` in tests/conftest.py)."""

from tests.fakes.bingx.fixtures import fake_bingx, fake_bingx_server  # noqa: F401
