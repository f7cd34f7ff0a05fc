"""Replaying a user's OHLCV CSV: rows come back as candles, coarser rows get minutes that add up to them,
and a bad file is refused with a message naming the row and the problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from market.simulator import CsvPaths, ReplayDataError
from market.sources.replay import ReplaySource

START = datetime(2024, 3, 1, tzinfo=UTC)


def write(tmp_path, rows, header="time,open,high,low,close,volume", name="candles.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def random_rows(step_minutes: int, count: int, seed: int = 1, time_format=lambda t: t.isoformat()):
    rng = np.random.default_rng(seed)
    price, rows = 100.0, []
    for i in range(count):
        o = price
        c = round(o * float(np.exp(rng.normal(0, 0.004))), 3)
        h = round(max(o, c) * (1 + abs(rng.normal(0, 0.002))), 3)
        low = round(min(o, c) * (1 - abs(rng.normal(0, 0.002))), 3)
        moment = START + timedelta(minutes=step_minutes * i)
        rows.append(f"{time_format(moment)},{o:.3f},{h:.3f},{low:.3f},{c:.3f},{rng.uniform(10, 100):.2f}")
        price = c
    return rows


def test_one_minute_rows_come_back_as_the_same_candles(tmp_path):
    rows = random_rows(1, 600)
    source = ReplaySource(seed=5, csv_path=str(write(tmp_path, rows)))
    assert source.universe() == ["BTC/USDT:USDT"]
    # Half the file is history when the replay starts.
    assert abs(source.now() - (START + timedelta(minutes=300))) < timedelta(seconds=5)
    candles = source.ohlcv("bingx", "BTC/USDT:USDT", "1m", since=START, limit=300)
    assert len(candles) == 300
    for candle, row in zip(candles[:50], rows[:50], strict=False):
        c = row.split(",")[4]
        # Exchanges add their basis (a few bps) on top of the file's price.
        assert abs(candle.close / Decimal(c) - 1) < Decimal("0.002")
        assert candle.volume > 0
    fair = source.simulator.paths.day("BTC/USDT:USDT", int(START.timestamp()) // 86400)
    first = rows[0].split(",")
    assert (fair.open[0], fair.high[0], fair.low[0], fair.close[0]) == pytest.approx(
        tuple(float(x) for x in first[1:5]), rel=1e-9
    )


def test_hourly_rows_get_minutes_that_aggregate_back_to_the_row(tmp_path):
    rows = random_rows(60, 48, time_format=lambda t: str(int(t.timestamp() * 1000)))  # epoch milliseconds
    paths = CsvPaths(write(tmp_path, rows), seed=3)
    day = paths.day("BTC/USDT:USDT", int(START.timestamp()) // 86400)
    for hour, row in enumerate(rows[:24]):
        _t, o, h, low, c, v = (float(x) for x in row.split(","))
        minutes = slice(hour * 60, hour * 60 + 60)
        assert day.open[minutes][0] == pytest.approx(o, rel=1e-9)
        assert day.close[minutes][-1] == pytest.approx(c, rel=1e-9)
        assert day.high[minutes].max() == pytest.approx(h, rel=1e-6)
        assert day.low[minutes].min() == pytest.approx(low, rel=1e-6)
        assert day.volume[minutes].sum() == pytest.approx(v, rel=1e-9)


def test_a_symbol_column_replays_several_symbols_and_holes_become_flat_candles(tmp_path):
    lines = []
    for i in (0, 1, 3):  # 00:02 is missing
        moment = (START + timedelta(minutes=i)).isoformat()
        lines.append(f"{moment},ETH-USDT,3000,3010,2990,3005,5")
        lines.append(f"{moment},SOLUSDT,150,151,149,150.5,7")
    path = write(tmp_path, lines, header="time,symbol,open,high,low,close,volume")
    paths = CsvPaths(path)
    assert sorted(paths.symbols()) == ["ETH/USDT:USDT", "SOL/USDT:USDT"]
    day = paths.day("ETH/USDT:USDT", int(START.timestamp()) // 86400)
    assert day.volume[2] == 0 and day.open[2] == day.close[2] == pytest.approx(3005)
    assert np.isnan(day.close[10])  # after the file


def test_the_replay_holds_at_the_end_of_the_file(tmp_path):
    path = write(tmp_path, random_rows(1, 120))
    source = ReplaySource(seed=5, csv_path=str(path), speed=1000.0, start=0.0)
    source.clock.wall = lambda: 10_000.0
    assert source.now() == START + timedelta(minutes=120, seconds=-1)
    assert source.clock.ended and "ended" in source.detail
    assert len(source.ohlcv("bingx", "BTC/USDT:USDT", "1m", since=START, limit=500)) == 120
    assert source.tickers("okx")["BTC/USDT:USDT"].last > 0  # prices hold at the end


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        ("time,open,high,low,close", ["2024-03-01T00:00:00,1,1,1,1"], r"missing column\(s\) volume"),
        (
            None,
            ["2024-03-01T00:00:00,1,2,0.5,1.5,abc", "2024-03-01T00:01:00,1,1,1,1,1"],
            r"row 2: volume 'abc' is not a number",
        ),
        (
            None,
            ["yesterday,1,2,0.5,1.5,1", "2024-03-01T00:01:00,1,1,1,1,1"],
            r"row 2: time 'yesterday' is neither ISO-8601",
        ),
        (
            None,
            ["2024-03-01T00:00:00,1,1.2,0.5,1.5,1", "2024-03-01T00:01:00,1,1,1,1,1"],
            r"row 2: high 1.2 / low 0.5 do not contain",
        ),
        (None, ["2024-03-01T00:00:00,0,1,1,1,1", "2024-03-01T00:01:00,1,1,1,1,1"], r"row 2: open must be > 0"),
        (
            None,
            ["2024-03-01T00:00:00,1,1,1,1,1", "2024-03-01T00:00:00,1,1,1,1,1"],
            r"row 3: a second BTC/USDT:USDT row",
        ),
        (None, ["2024-03-01T00:00:00,1,1,1,1,1", "2024-03-01T00:07:00,1,1,1,1,1"], r"rows are 420 s apart"),
        (
            None,
            ["2024-03-01T00:00:30,1,1,1,1,1", "2024-03-01T00:01:30,1,1,1,1,1"],
            r"row 2: time is not on a 1-minute boundary",
        ),
        (None, ["2024-03-01T00:00:00,1,1,1,1,1"], r"at least two rows"),
        (None, [], r"no data rows"),
        (
            "time,symbol,open,high,low,close,volume",
            ["2024-03-01T00:00:00,BTC-EUR,1,1,1,1,1"],
            r"row 2: symbol 'BTC-EUR'",
        ),
        (None, ["2024-03-01T00:00:00,1,1,1"], r"row 2: 4 fields, expected 6"),
    ],
)
def test_a_bad_csv_is_refused_with_the_row_and_the_reason(tmp_path, header, rows, message):
    path = write(tmp_path, rows, header=header or "time,open,high,low,close,volume")
    with pytest.raises(ReplayDataError, match=message) as caught:
        CsvPaths(path)
    assert str(path) in str(caught.value) and "FLAXU_REPLAY_CSV" in str(caught.value)


def test_a_missing_or_empty_file_is_refused(tmp_path):
    with pytest.raises(ReplayDataError, match="no such file"):
        CsvPaths(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ReplayDataError, match="the file is empty"):
        CsvPaths(tmp_path / "empty.csv")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(ReplayDataError):
        CsvPaths(tmp_path / "binary.csv")
