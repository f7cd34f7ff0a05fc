"""``manage.py watch_liquidations``: follow Binance's real liquidation stream (live mode only)."""

from __future__ import annotations

import asyncio
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from market.providers.binance_liquidations import LiquidationStream


class Command(BaseCommand):
    help = (
        "Consume Binance USDⓈ-M's !forceOrder@arr stream (ccxt pro watch_liquidations) into the shared cache "
        "for the liquidation heatmap overlay. Live mode only: in replay the simulator's events are used."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seconds", type=float, default=0, help="Stop after this many seconds (0: run until stopped)."
        )

    def handle(self, *args, **options):
        if settings.FLAXU_MARKET_SOURCE != "live":
            self.stdout.write(
                "FLAXU_MARKET_SOURCE is not 'live': the replay's simulated liquidations are used; nothing to watch."
            )
            return
        stream = LiquidationStream()
        asyncio.run(self._run(stream, options["seconds"]))
        self.stdout.write(f"Stopped after {stream.received} liquidation events.")

    async def _run(self, stream: LiquidationStream, seconds: float) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if seconds > 0:
            loop.call_later(seconds, stop.set)
        self.stdout.write("Watching Binance liquidations (Ctrl-C stops)...")
        await stream.run(stop)
