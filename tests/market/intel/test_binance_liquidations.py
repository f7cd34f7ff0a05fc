"""The Binance liquidation consumer: real ccxt pro against a local websocket server speaking Binance's stream."""

from __future__ import annotations

import asyncio
import json
from io import StringIO

import ccxt.pro
from django.core.management import call_command
from websockets.asyncio.server import serve

from market.providers.base import provider_health
from market.providers.binance_liquidations import NAME, LiquidationStream, recent_events
from tests.market.intel.conftest import BINANCE_MARKETS as MARKETS
from tests.market.intel.conftest import fixture_json


def run_stream(connections: list[list[dict]], expected: int) -> tuple[LiquidationStream, list[str], list[list[str]]]:
    """Serve one burst of messages per connection, drop the connection while the consumer waits for more
    (except after the last burst); consume until ``expected`` events."""
    paths, subscriptions = [], []
    bursts = list(connections)
    done = None

    async def handler(ws):
        paths.append(ws.request.path)
        request = json.loads(await ws.recv())
        subscriptions.append(request["params"])
        await ws.send(json.dumps({"result": None, "id": request["id"]}))
        for message in bursts.pop(0) if bursts else []:
            await ws.send(json.dumps(message))
        if bursts:
            await asyncio.sleep(0.3)  # the consumer is waiting for the next message now
            await ws.close(1011, "upstream restart")
            return
        await done.wait()

    async def main() -> LiquidationStream:
        nonlocal done
        done = asyncio.Event()
        async with serve(handler, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]

            def client():
                exchange = ccxt.pro.binanceusdm()
                exchange.urls["api"]["ws"]["linear"] = f"ws://127.0.0.1:{port}/ws"
                exchange.set_markets(MARKETS)  # no REST call for markets
                return exchange

            stream, stop = LiquidationStream(client, flush_seconds=0.05), asyncio.Event()
            task = asyncio.create_task(stream.run(stop))
            for _ in range(200):
                if stream.received >= expected:
                    break
                await asyncio.sleep(0.05)
            stop.set()
            await asyncio.wait_for(task, 10)
            done.set()
            return stream

    return asyncio.run(main()), paths, subscriptions


def test_a_burst_of_force_orders_lands_in_the_shared_event_list():
    messages = fixture_json("binance_force_orders.json")
    stream, paths, subscriptions = run_stream([messages], expected=len(messages))
    assert paths == ["/market/ws/0"] and subscriptions == [["!forceOrder@arr"]]  # the all-market stream
    events = recent_events()
    assert len(events) == len(messages) == stream.received
    assert [e["side"] for e in events] == [{"SELL": "long", "BUY": "short"}[m["o"]["S"]] for m in messages]
    assert [e["symbol"] for e in recent_events(symbol="BTC/USDT:USDT")] == ["BTC/USDT:USDT", "BTC/USDT:USDT"]
    assert provider_health(NAME).last_success_at is not None


def test_the_consumer_reconnects_after_the_stream_drops_and_skips_what_it_already_took():
    messages = fixture_json("binance_force_orders.json")
    _, paths, _ = run_stream([messages[:3], messages], expected=len(messages))
    assert len(paths) == 2  # reconnected
    assert [e["time"] for e in recent_events()] == [m["o"]["T"] / 1000 for m in messages]  # no duplicates
    health = provider_health(NAME)
    assert health.last_error_at is not None and "1011" in health.last_error  # noted, then recovered
    assert health.failures == 0 and health.last_success_at > health.last_error_at


def test_the_command_does_nothing_in_replay_mode(settings):
    settings.FLAXU_MARKET_SOURCE = "replay"
    out = StringIO()
    call_command("watch_liquidations", stdout=out)
    assert "nothing to watch" in out.getvalue()
