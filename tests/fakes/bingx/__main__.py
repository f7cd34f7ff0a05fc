"""Run the fake BingX standalone: ``python -m tests.fakes.bingx --port 18080 [--seed-demo]``.

Prints one JSON line with the URL (and, with --seed-demo, the demo keys), then serves until
SIGINT/SIGTERM. Drive it over HTTP with the control endpoint: ``POST /_fake/<action>`` (JSON body),
``GET /_fake/state``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time

from .scenario import FakeBingX

DEMO_AGENT_UID = "9000"
DEMO_UID = "1001"
DEMO_OTHER_UID = "1002"


def seed_demo(fake: FakeBingX) -> dict:
    """An agent (the platform owner), a referred user who deposited 250 USDT yesterday, and a user
    referred by someone else."""
    agent = fake.add_agent(uid=DEMO_AGENT_UID, balances={"USDT": "5000"})
    user = fake.add_account(uid=DEMO_UID, referrer_uid=DEMO_AGENT_UID, balances={"USDT": "1000"})
    fake.add_deposit(DEMO_UID, "250", time=int(time.time() * 1000) - 86_400_000)
    other = fake.add_account(uid=DEMO_OTHER_UID, referrer_uid="7777", balances={"USDT": "300"})
    fake.add_deposit(DEMO_OTHER_UID, "300", time=int(time.time() * 1000) - 3 * 86_400_000)

    def keys(a):
        return {"uid": a.uid, "api_key": a.api_key, "secret": a.secret}

    return {"agent": keys(agent), "referred": keys(user), "not_referred": keys(other)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.bingx", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--seed-demo", action="store_true", help="create a demo agent, referral and user")
    parser.add_argument("--taker-fee", default=None, help="taker fee rate (default 0.0005)")
    args = parser.parse_args(argv)

    fake = FakeBingX(port=args.port, host=args.host, taker_fee=args.taker_fee, start=False)
    info = {"url": fake.url, "api_root": fake.api_root, "control": f"{fake.url}/_fake/state"}
    if args.seed_demo:
        info["demo"] = seed_demo(fake)
    print(json.dumps(info), flush=True)

    def stop(signum, frame):
        threading.Thread(target=fake._server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    fake.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
