"""Web and worker threads share the gateway: each thread gets its own ccxt client, markets load once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from market import exchanges
from market.exchanges import ApiCredentials, clients


def test_concurrent_calls_from_many_threads_each_get_a_correct_answer(gateway):
    accounts = [gateway.add_account(uid=str(3000 + i), balances={"USDT": Decimal(100 + i)}) for i in range(6)]
    creds = [ApiCredentials(api_key=a.api_key, secret=a.secret) for a in accounts]
    clients.forget_markets()

    def work(index: int) -> list[Decimal]:
        try:
            return [exchanges.balances(creds[index % 6]).balance for _ in range(3)]
        finally:
            clients.forget_clients()

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(work, range(12)))

    assert results == [[Decimal(100 + i % 6)] * 3 for i in range(12)]
    assert len(gateway.requests_to("/openApi/swap/v2/quote/contracts")) == 1
