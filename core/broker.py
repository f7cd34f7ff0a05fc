"""The embedded default's Celery broker: kombu's filesystem transport with messages written atomically.

kombu's filesystem ``_put`` creates ``<time>_<uuid>.<queue>.msg`` and then writes it, while a worker's
``_get`` takes any ``*.<queue>.msg`` it lists: a worker polling between the two read an empty file, and the
JSON error stopped it ("Unrecoverable error: JSONDecodeError"; seen in a CI run, with the paper watcher
queuing a task per ticker refresh). Here a message is written under a name no queue matches and renamed to
its final name once complete (a rename within one directory is atomic on POSIX and Windows), so a worker
only ever sees whole messages.

Its URL scheme, ``flaxu-filesystem://``, is registered with kombu when this module is imported
(``flaxu.celery`` does, before any connection), so the broker URL names the transport as any other does.
"""

from __future__ import annotations

import os
import uuid

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(filesystem.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"  # kombu's own naming
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"  # "<time>_<uuid>" then ".<queue>.msg.part": never a queue's ".<queue>.msg"
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = Channel


SCHEME = "flaxu-filesystem"
TRANSPORT_ALIASES[SCHEME] = f"{__name__}:AtomicFilesystemTransport"
