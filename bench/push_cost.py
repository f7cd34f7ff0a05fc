"""What one push() from sync code (a Celery task, a service) costs in Redis mode, next to the anchor: the
same group_send run through asgiref's async_to_sync, as push() did before (a new event loop, so a new
channels-redis layer and Redis connection, per push). A worker pushing each user's live PnL pays this once
per user per round.

    .venv/bin/python bench/push_cost.py --redis-url redis://127.0.0.1:6379/12 [--pushes 500]

Needs only Redis (the database is not touched: pushes are sent outside any transaction). Prints p50 and
p99 per push for both, measured in one run, alternating blocks so both see the same machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.servers import percentile

GROUP = "market.bench-push-cost"
BLOCK = 50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", default=os.environ.get("FLAXU_BENCH_REDIS_URL", ""))
    parser.add_argument("--pushes", type=int, default=500)
    args = parser.parse_args()
    if not args.redis_url:
        print("bench/push_cost.py: skipped: it needs --redis-url (or FLAXU_BENCH_REDIS_URL)")
        return 0
    os.environ.update(
        REDIS_URL=args.redis_url, DJANGO_SETTINGS_MODULE="flaxu.settings", FLAXU_VAR_DIR=tempfile.mkdtemp()
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from core.realtime.push import event_message, push

    layer = get_channel_layer()

    def anchor() -> None:
        async_to_sync(layer.group_send)(GROUP, event_message("bench", {"n": 1}))

    def ours() -> None:
        push(GROUP, "bench", {"n": 1})

    timings: dict[str, list[float]] = {"push() now": [], "anchor: async_to_sync per push": []}
    for call in (ours, anchor):  # warm up both paths
        call()
    for _ in range(max(1, args.pushes // BLOCK)):
        for name, call in (("push() now", ours), ("anchor: async_to_sync per push", anchor)):
            for _ in range(BLOCK):
                began = time.perf_counter()
                call()
                timings[name].append(time.perf_counter() - began)
    print(f"{'':34}{'p50':>10}{'p99':>10}   ({args.pushes} pushes each, Redis {args.redis_url})")
    for name, samples in timings.items():
        print(f"{name:34}{percentile(samples, 50) * 1000:>8.2f} ms{percentile(samples, 99) * 1000:>8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
