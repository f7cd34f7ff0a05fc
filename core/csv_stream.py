"""CSV exports streamed line by line (a header, then one line per row), for StreamingHttpResponse."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any


def csv_cell(value: Any) -> str:
    """Empty for None, ISO 8601 for times, true/false for booleans, else ``str`` (Decimals keep their digits)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """``header`` then each row as one CSV line; nothing is held beyond the current line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow(header)
    yield flush()
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        yield flush()
