"""Reading stored candles: as a numpy/pandas frame for the engines, or as Decimal candles for the API.

``candle_frame`` is the engines' input and is built without model instances: the database converts
prices to float8 and times to epoch seconds, and the rows land in numpy arrays directly (PostgreSQL:
one binary COPY parsed by numpy; SQLite: one cursor, flattened with ``np.fromiter``).
"""

from __future__ import annotations

import gc
import itertools
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection

from market.exchanges.types import Candle as CandleRow
from market.models import Candle
from market.sources import MarketSource, get_source

COLUMNS = ("open", "high", "low", "close", "volume")
_PG_EPOCH = 946_684_800  # PostgreSQL timestamps count microseconds from 2000-01-01 UTC
_PGCOPY_HEADER = 19  # b"PGCOPY\n\xff\r\n\0" + flags (4) + header extension length (4)
_PGCOPY_ROW = np.dtype(
    [("fields", ">i2"), ("tl", ">i4"), ("time", ">i8")]
    + [(f, t) for c in COLUMNS for f, t in ((f"{c}l", ">i4"), (c, ">f8"))]
)


def candle_exchanges(source: MarketSource | None = None) -> list[str]:
    """The exchanges whose candles are stored: FLAXU_CANDLE_EXCHANGES, else the first configured one."""
    configured = settings.FLAXU_CANDLE_EXCHANGES
    return list(configured) if configured else (source or get_source()).exchanges()[:1]


def _seconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("Use timezone-aware datetimes.")
    return int(moment.timestamp())


def _where(start: datetime | None, end: datetime | None) -> tuple[str, list]:
    sql, params = "exchange = %s AND symbol = %s AND timeframe = %s", []
    adapt = connection.ops.adapt_datetimefield_value  # SQLite compares naive UTC text
    if start is not None:
        _seconds(start)
        sql += " AND open_time >= %s"
        params.append(adapt(start))
    if end is not None:
        _seconds(end)
        sql += " AND open_time < %s"
        params.append(adapt(end))
    return sql, params


def _select(epoch: str, real: str, where: str, limit: int | None) -> str:
    table = Candle._meta.db_table
    cols = ", ".join(real.format(c) for c in COLUMNS)
    if limit is None:
        return f"SELECT {epoch}, {cols} FROM {table} WHERE {where} ORDER BY open_time"  # noqa: S608
    # The latest `limit` rows, oldest first.
    inner = (
        f"SELECT open_time, {', '.join(COLUMNS)} FROM {table} WHERE {where} ORDER BY open_time DESC LIMIT {int(limit)}"  # noqa: S608
    )
    return f"SELECT {epoch}, {cols} FROM ({inner}) AS latest ORDER BY open_time"  # noqa: S608


def _arrays(exchange: str, symbol: str, timeframe: str, start, end, limit) -> tuple[np.ndarray, np.ndarray]:
    """(epoch seconds int64, (5, n) float64 OHLCV: one contiguous row per column) from one query."""
    where, params = _where(start, end)
    params = [exchange, symbol, timeframe, *params]
    if connection.vendor == "postgresql":
        # open_time travels as PostgreSQL's own binary timestamp (cheaper than EXTRACT on every row).
        sql = _select("open_time", "{0}::float8", where, limit)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3
            buffer = bytearray()
            with raw.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)", params) as copy:
                for block in copy:
                    buffer += block
        rows = (len(buffer) - _PGCOPY_HEADER - 2) // _PGCOPY_ROW.itemsize
        table = np.frombuffer(buffer, _PGCOPY_ROW, count=rows, offset=_PGCOPY_HEADER)
        columns = np.empty((len(COLUMNS), rows))
        for i, c in enumerate(COLUMNS):
            columns[i] = table[c]
        return table["time"].astype(np.int64) // 1_000_000 + _PG_EPOCH, columns
    if connection.vendor == "sqlite":
        sql = _select("CAST(strftime('%%s', open_time) AS INTEGER)", "CAST({0} AS REAL)", where, limit)
    else:  # any other backend: let Django adapt the values
        sql = _select("open_time", "{0}", where, limit)
    # A million result tuples would wake the cyclic garbage collector again and again (it scans them all,
    # finding nothing): keep it off while they exist.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if connection.vendor != "sqlite":
            rows = [(_seconds(r[0]), *map(float, r[1:])) for r in rows]
        flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.float64, count=len(rows) * 6)
        del rows
    finally:
        if collecting:
            gc.enable()
    flat = flat.reshape(-1, 6)
    return flat[:, 0].astype(np.int64), np.ascontiguousarray(flat[:, 1:].T)


def candle_frame(
    exchange: str,
    symbol: str,
    timeframe: str,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Stored candles with ``start <= open time < end`` (the latest ``limit`` of them), oldest first.

    Index: ``time`` (open time, ``datetime64[ns, UTC]``); columns ``open high low close volume`` as
    float64. Empty frame (same columns and dtypes) when nothing is stored.
    """
    times, columns = _arrays(exchange, symbol, timeframe, start, end, limit)
    index = pd.DatetimeIndex((times * 1_000_000_000).astype("datetime64[ns]"), name="time").tz_localize(UTC)
    # pandas keeps a 2-D block column-major: handing it the transposed view keeps each column contiguous.
    return pd.DataFrame(columns.T, index=index, columns=list(COLUMNS), copy=False)


def candle_open_times(
    exchange: str, symbol: str, timeframe: str, start: datetime | None = None, end: datetime | None = None
) -> np.ndarray:
    """Stored open times (epoch seconds, int64, ascending) in [start, end)."""
    qs = Candle.objects.filter(exchange=exchange, symbol=symbol, timeframe=timeframe)
    if start is not None:
        qs = qs.filter(open_time__gte=start)
    if end is not None:
        qs = qs.filter(open_time__lt=end)
    times = qs.order_by("open_time").values_list("open_time", flat=True)
    return np.fromiter((t.timestamp() for t in times), dtype=np.float64).astype(np.int64)


def candle_last_time(exchange: str, symbol: str, timeframe: str) -> datetime | None:
    """Open time of the newest stored candle."""
    return (
        Candle.objects.filter(exchange=exchange, symbol=symbol, timeframe=timeframe)
        .order_by("-open_time")
        .values_list("open_time", flat=True)
        .first()
    )


def candles_latest(
    exchange: str,
    symbol: str,
    timeframe: str,
    *,
    limit: int = 500,
    end: datetime | None = None,
) -> list[CandleRow]:
    """The newest ``limit`` stored candles (open time before ``end``), oldest first, Decimal OHLCV (for APIs)."""
    qs = Candle.objects.filter(exchange=exchange, symbol=symbol, timeframe=timeframe)
    if end is not None:
        qs = qs.filter(open_time__lt=end)
    rows = qs.order_by("-open_time").values_list("open_time", *COLUMNS)[: max(int(limit), 0)]
    return [
        CandleRow(time=t.astimezone(UTC), open=o, high=h, low=lo, close=c, volume=v)
        for t, o, h, lo, c, v in reversed(rows)
    ]


def stored_series() -> list[tuple[str, str, str]]:
    """Every (exchange, symbol, timeframe) with stored candles."""
    return list(Candle.objects.order_by().values_list("exchange", "symbol", "timeframe").distinct())
