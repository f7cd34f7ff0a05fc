import pytest
from django.conf import settings
from django.core.cache import cache

from tests.factories import PASSWORD, UserFactory

pytest_plugins = ["tests.processes", "tests.fakes.bingx.fixtures"]


def _clear_cache() -> None:
    """Empty the cache only: on Redis, FLUSHDB would also drop Celery's queues and Channels' groups."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX")
    if prefix and hasattr(cache, "_cache"):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and throttles live in the cache: each test starts with none spent."""
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()
