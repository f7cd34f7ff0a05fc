import pytest
from django.conf import settings
from django.core.cache import cache

from market.exchanges import reset_process_state
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


@pytest.fixture(autouse=True)
def _fresh_gateway():
    """Circuit breakers and buffered health live in the process: one test's outages must not leak."""
    reset_process_state()
    yield
    reset_process_state()


@pytest.fixture
def gateway(fake_bingx, settings):
    """The fake BingX with the exchange gateway pointed at it (short timeouts for tests)."""
    settings.FLAXU_BINGX_URL = fake_bingx.api_root
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 3000
    settings.FLAXU_EXCHANGE_RETRIES = 3
    settings.FLAXU_BREAKER_FAIL_MAX = 5
    settings.FLAXU_BREAKER_RESET_SECONDS = 30
    return fake_bingx


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()
