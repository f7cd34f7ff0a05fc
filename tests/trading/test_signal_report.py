"""``manage.py signal_report``: a reliability table of the period's signals on stored candles; bad
arguments are refused with a message saying what is expected."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.trading.factories import seed_candles

pytestmark = pytest.mark.django_db


def report(*args: str) -> str:
    out = StringIO()
    call_command("signal_report", *args, stdout=out)
    return out.getvalue()


def test_the_report_shows_predicted_and_realised_rates_per_class_and_bucket_on_stored_candles():
    seed_candles(3000, timeframe="5m")  # 2024-01-01 to about 2024-01-11
    text = report("--start", "2024-01-03", "--end", "2024-01-11", "--timeframe", "5m")
    lines = text.splitlines()
    assert lines[0].startswith("Signals on 5m stored candles from 2024-01-03 00:00 to 2024-01-11 00:00 UTC")
    assert lines[1].split() == ["class", "bucket", "signals", "resolved", "predicted", "realised", "brier", "mean_r"]
    assert " 5m " in lines[2] and "%" in text
    assert lines[-1].split()[:2] == ["all", "all"] and int(lines[-1].split()[2]) > 0


def test_a_period_without_candles_says_so():
    assert "no signals in the period" in report("--start", "2030-01-01", "--end", "2030-02-01")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "yesterday", "--end", "2024-01-02"], "--start must be a date"),
        (["--start", "2024-01-02", "--end", "2024-01-01"], "must be before --end"),
        (["--start", "2024-01-01", "--end", "2024-01-02", "--timeframe", "7x"], "--timeframe must be a timeframe"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        report(*args)
