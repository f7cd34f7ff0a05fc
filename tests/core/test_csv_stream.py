"""Every CSV export: text a spreadsheet would run as a formula arrives as text; numbers keep their sign."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from core.csv_stream import csv_lines


def test_formula_text_is_made_text_while_negative_numbers_and_other_values_stay_as_they_are():
    rows = [
        ['=HYPERLINK("http://x")', Decimal("-12.50"), -3, "@SUM(A1)", None],
        ["-1+1", Decimal("0.10"), 4, "BTC/USDT:USDT", datetime(2026, 12, 5, 9, 30, tzinfo=UTC)],
        ["\tcmd", True, 0.5, "+41 phone", False],
    ]
    read = list(csv.reader(io.StringIO("".join(csv_lines(["a", "b", "c", "d", "e"], rows)))))
    assert read[1] == ['\'=HYPERLINK("http://x")', "-12.50", "-3", "'@SUM(A1)", ""]
    assert read[2] == ["'-1+1", "0.10", "4", "BTC/USDT:USDT", "2026-12-05T09:30:00+00:00"]
    assert read[3] == ["'\tcmd", "true", "0.5", "'+41 phone", "false"]
