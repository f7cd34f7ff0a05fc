import pytest
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer


@pytest.fixture(autouse=True)
def _empty_in_memory_channel_layer():
    """Each test starts with no groups left over from another test's sockets (in-memory layer only:
    flushing channels-redis would empty a Redis database other processes may be using)."""
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        async_to_sync(layer.flush)()
    yield
