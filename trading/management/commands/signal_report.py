"""``manage.py signal_report --start 2024-01-01 --end 2024-02-01 [--timeframe 1h]``: predicted vs realised
TP1 rates per setup class and confidence bucket, Brier score, mean R after costs and counts, on stored
candles (``trading.services.signal_report``)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from trading.engine.reliability import format_table
from trading.engine.timeframes import timeframe_to_timedelta
from trading.services.signal_report import signal_report


def _moment(value: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option} must be a date or time like 2024-01-31 or 2024-01-31T12:00 (got {value!r})."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Signal quality per setup class and confidence bucket over a period, on stored candles."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--start", required=True, help="First day (UTC) of the period, e.g. 2024-01-01.")
        parser.add_argument("--end", required=True, help="End (exclusive, UTC) of the period, e.g. 2024-02-01.")
        parser.add_argument("--timeframe", help="Only this timeframe (e.g. 1h); default: every stored one.")

    def handle(self, *args, **options) -> None:
        start, end = _moment(options["start"], "--start"), _moment(options["end"], "--end")
        if start >= end:
            raise CommandError(f"--start ({start:%Y-%m-%d %H:%M}) must be before --end ({end:%Y-%m-%d %H:%M}).")
        timeframe = options["timeframe"]
        if timeframe is not None:
            try:
                timeframe_to_timedelta(timeframe)
            except ValueError:
                raise CommandError(
                    f"--timeframe must be a timeframe like 5m, 15m, 1h or 4h (got {timeframe!r})."
                ) from None
        table = signal_report(start=start, end=end, timeframe=timeframe)
        where = f"{timeframe} " if timeframe else ""
        self.stdout.write(f"Signals on {where}stored candles from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC")
        self.stdout.write(format_table(table))
