"""Running the dashboard's aggregates on PostgreSQL without its JIT compiler.

PostgreSQL compiles a query to machine code when its *estimated* cost is high, and the estimate of an aggregate
with correlated EXISTS per user (user counts, the funnel, the inactive list) is high even when the query runs in
tens of milliseconds: compiling then costs more than running (measured by bench/staff_dashboard.py). JIT pays off
on long analytical scans, not on these; it is switched off for the block only (SET LOCAL, in a transaction).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def without_jit() -> Iterator[None]:
    """The block's queries run without JIT on PostgreSQL (in one transaction); elsewhere, as they are."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield
