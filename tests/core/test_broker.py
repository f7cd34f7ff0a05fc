"""The embedded broker never hands a worker a message still being written (kombu's filesystem transport did:
an empty file read as JSON stopped the worker)."""

from __future__ import annotations

from queue import Empty

import pytest
from kombu import Connection

from core.broker import AtomicFilesystemTransport


@pytest.fixture
def conn(tmp_path):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "store_processed": False}
    with Connection("flaxu-filesystem://", transport_options=options) as connection:
        assert isinstance(connection.transport, AtomicFilesystemTransport)  # the URL names it
        yield connection


def test_a_message_being_written_is_not_taken(conn, tmp_path):
    (tmp_path / "1_abc.celery.msg.part").write_bytes(b'{"half')  # another process mid-write

    with pytest.raises(Empty):
        conn.default_channel._get("celery")


def test_a_whole_message_goes_through_and_leaves_no_partial_file(conn, tmp_path):
    conn.default_channel._put("celery", {"body": "ping"})

    assert [p.suffix for p in tmp_path.iterdir()] == [".msg"]
    assert conn.default_channel._get("celery") == {"body": "ping"}
