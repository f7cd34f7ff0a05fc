"""start_eagerly runs a coroutine at once and hands only a suspended remainder to a Task, which then
behaves as if the Task had run it from the start: results, errors and cancellation all reach it."""

from __future__ import annotations

import asyncio

import pytest

from core.realtime.eager import start_eagerly


def test_a_coroutine_that_never_waits_runs_to_the_end_before_start_eagerly_returns():
    done = []

    async def send():
        done.append("sent")

    async def scenario():
        assert start_eagerly(send()) is None
        assert done == ["sent"]  # before any turn of the event loop

    asyncio.run(scenario())


def test_one_that_waits_goes_on_in_a_task_with_its_result_and_later_steps():
    steps = []

    async def send(gate: asyncio.Event):
        steps.append("before")
        await gate.wait()
        steps.append("after gate")
        await asyncio.sleep(0)  # a bare yield to the loop is carried too
        return "result"

    async def scenario():
        gate = asyncio.Event()
        task = start_eagerly(send(gate))
        assert steps == ["before"] and isinstance(task, asyncio.Task)
        await asyncio.sleep(0.01)
        assert not task.done()
        gate.set()
        assert await asyncio.wait_for(task, 1) == "result"
        assert steps == ["before", "after gate"]

    asyncio.run(scenario())


def test_errors_before_and_after_the_first_wait_and_cancellation_reach_the_caller_and_the_coroutine():
    cleaned = []

    async def fails_at_once():
        raise OSError("gone")

    async def fails_later(future: asyncio.Future):
        return await future

    async def waits_forever():
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append("finally ran")

    async def scenario():
        with pytest.raises(OSError, match="gone"):
            start_eagerly(fails_at_once())
        future = asyncio.get_running_loop().create_future()
        task = start_eagerly(fails_later(future))
        future.set_exception(ConnectionResetError("reset"))
        with pytest.raises(ConnectionResetError):
            await task
        task = start_eagerly(waits_forever())
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert cleaned == ["finally ran"]

    asyncio.run(scenario())
