"""Run a coroutine at once, on the caller's stack; only what remains after its first suspension becomes a Task.

This is Python 3.12's eager task start (``asyncio.eager_task_factory``) for one call, on 3.11. The
pub/sub layer uses it to hand a pushed event to each socket's send directly: a send that does not have
to wait (the usual case) costs no Task, no queue hand-off and no event-loop turn per socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

_SENT = object()  # _CarryOn has handed over what its coroutine awaited


def start_eagerly(coro: Coroutine[Any, Any, Any]) -> asyncio.Task | None:
    """Step `coro` now: None if it finished without suspending, else the Task that carries it on.

    An exception raised before the first suspension propagates to the caller, as a plain call's would."""
    try:
        awaited = coro.send(None)
    except StopIteration:
        return None
    return asyncio.get_running_loop().create_task(_CarryOn(coro, awaited))


class _CarryOn(Coroutine):
    """`coro`, already suspended on `awaited`, for a Task: its first step hands the Task `awaited` to wait on;
    every later step, and anything thrown in (an error, a cancellation, even before that first step),
    goes to `coro` itself."""

    def __init__(self, coro: Coroutine[Any, Any, Any], awaited: Any) -> None:
        self._coro = coro
        self._awaited: Any = awaited

    def send(self, value: Any) -> Any:
        awaited, self._awaited = self._awaited, _SENT
        return self._coro.send(value) if awaited is _SENT else awaited

    def throw(self, *exc_info: Any) -> Any:
        self._awaited = _SENT
        return self._coro.throw(*exc_info)

    def close(self) -> None:
        self._coro.close()

    def __await__(self):
        raise TypeError("a Task runs this; it is not awaited")
