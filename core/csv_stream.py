"""CSV exports streamed line by line (a header, then one line per row), for StreamingHttpResponse."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): text cells starting so
# get a leading apostrophe, which spreadsheets show as text. Emails, labels and notes are user input.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """Empty for None, ISO 8601 for times, true/false for booleans, text a spreadsheet would run as a formula
    behind an apostrophe, else ``str`` (numbers and Decimals keep their digits and sign)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_STARTS) else value
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
