import pytest
from django.core.cache import cache

from tests.factories import PASSWORD, UserFactory

pytest_plugins = ["tests.processes"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and throttles live in the cache: each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()
