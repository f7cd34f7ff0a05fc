"""Building ccxt clients: one place that knows timeouts, URLs, demo mode, market sharing and logging.

- ``bingx`` trades USDT-margined perpetual swaps (``BTC/USDT:USDT``); ``binanceusdm``, ``okx`` and
  ``bybit`` serve public market data.
- ``FLAXU_BINGX_URL`` replaces the root of every BingX API section, plus the ``agent`` section ccxt
  lacks (its agent calls raise KeyError without it).
- Markets are loaded once per process and endpoint by a keyless client and shared by reference with
  every other client of that endpoint (ccxt's ``set_markets_from_exchange``); they are reloaded after
  MARKETS_MAX_AGE.
- Clients are cached per thread (ccxt clients are not thread-safe, and building one costs ~2.5 ms), keyed
  by a digest of the credentials and the settings they were built from.
- ccxt's DEBUG lines carry signed URLs, the API-key header and account data: each client gets a logger
  that drops them. urllib3's request lines get their ``signature=`` scrubbed.
- A 2xx answer that is not JSON raises BadResponse (ccxt would hand back an empty result), so a
  malformed body fails closed as ExchangeUnavailable instead of reading as "no positions".
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from typing import Any

import ccxt
from django.conf import settings

from market.exchanges.credentials import ApiCredentials
from market.exchanges.errors import InvalidRequest
from market.exchanges.translation import scrub

logger = logging.getLogger(__name__)

BINGX = "bingx"
EXCHANGES = ("bingx", "binanceusdm", "okx", "bybit")
DEFAULT_TYPES = {"bingx": "swap", "binanceusdm": "future", "okx": "swap", "bybit": "swap"}
MARKETS_MAX_AGE_SECONDS = 6 * 3600
CLIENTS_PER_THREAD = 64


class _CcxtLog:
    """Stands in for ccxt's logger: DEBUG/INFO lines are dropped, louder ones scrubbed and passed on."""

    def debug(self, *args: Any, **kwargs: Any) -> None:
        pass

    info = debug

    def _forward(self, level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
        try:
            text = str(msg) % args if args else str(msg)
        except (TypeError, ValueError):
            text = str(msg)
        logger.log(level, "ccxt: %s", scrub(text))

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._forward(logging.WARNING, msg, *args)

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self._forward(logging.ERROR, msg, *args)

    exception = critical = error

    def isEnabledFor(self, level: int) -> bool:
        return level >= logging.WARNING


class _SignatureFilter(logging.Filter):
    """urllib3 logs each request line, query string and signature included: scrub it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(scrub(a) if isinstance(a, str) else a for a in record.args)
        record.msg = scrub(str(record.msg)) if isinstance(record.msg, str) else record.msg
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_SignatureFilter())


class _FailClosedJson:
    """Mixin for ccxt clients: a successful answer must be JSON, or the call raises BadResponse."""

    http_status: int = 0

    def on_rest_response(self, code, reason, url, method, response_headers, response_body, *rest):
        self.http_status = int(code or 0)
        return super().on_rest_response(code, reason, url, method, response_headers, response_body, *rest)

    def parse_json(self, http_response):
        if not 200 <= self.http_status < 300:
            return super().parse_json(http_response)
        try:
            return self.on_json_response(http_response)
        except (TypeError, ValueError):
            raise ccxt.BadResponse(f"{self.id} answered with a body that is not JSON") from None


class _ThrottleClock:
    """Mixin for ccxt clients: adds up the time ccxt's rate limiter sleeps, so health records the
    exchange's latency rather than our own politeness."""

    throttled_seconds: float = 0.0

    def throttle(self, cost=None):
        started = time.perf_counter()
        super().throttle(cost)
        self.throttled_seconds += time.perf_counter() - started


class _TokenBucket:
    """Mixin for the BingX client: ccxt's leaky bucket (``tokenBucket``: capacity, refillRate per ms), as
    ccxt's async clients apply it. ccxt's sync ``throttle`` ignores the bucket and waits ``rateLimit x
    cost`` after every previous request, which serialises a live entry's few calls (~1.8 s for six)."""

    _tokens: float | None = None
    _tokens_at: float = 0.0

    def throttle(self, cost=None):
        bucket = self.tokenBucket
        capacity, refill = float(bucket["capacity"]), float(bucket["refillRate"])
        cost = float(bucket["cost"] if cost is None else cost)
        now = time.monotonic() * 1000
        tokens = capacity if self._tokens is None else min(capacity, self._tokens + (now - self._tokens_at) * refill)
        if tokens < 0:  # in debt: wait until the bucket is back at zero, then go (ccxt's rule)
            time.sleep(-tokens / refill / 1000)
            now, tokens = time.monotonic() * 1000, 0.0
        self._tokens, self._tokens_at = tokens - cost, now


_strict_classes: dict[str, type] = {}
# BingX limits each account interface per UID (placing a swap order: 10/s since 2025-10-16; the others
# 5-10/s) and all account interfaces to 2,000 per 10 s per IP. ccxt's costs keep the sustained rate
# (one cost unit per rateLimit = 100 ms: 10 units/s; an order costs 2, mode and leverage 5) within them.
# A bucket of 14 units lets a whole entry go without waiting even when the mode and leverage are not
# cached (balance 2, mode 5, leverage 5, order 2, then its read): signals reach a user minutes apart, so
# most real entries are uncached. Every placement is followed by its read (4 units an order), so one
# client places at most 6 orders in a second; only a burst of bare orders (none is made) could reach 12.
BINGX_BURST_COST = 14


def _strict_class(exchange: str) -> type:
    cls = _strict_classes.get(exchange)
    if cls is None:
        base = getattr(ccxt, exchange)
        mixins = (
            (_FailClosedJson, _ThrottleClock, _TokenBucket) if exchange == BINGX else (_FailClosedJson, _ThrottleClock)
        )
        mixed = type(f"Gateway{base.__name__}", (*mixins, base), {})
        cls = _strict_classes.setdefault(exchange, mixed)
    return cls


def endpoint(exchange: str, sandbox: bool = False) -> str:
    """The name of one exchange endpoint for breakers and health: ``bingx``, ``bingx-demo``, ``okx``."""
    return f"{exchange}-demo" if sandbox else exchange


def _bingx_root() -> str:
    return settings.FLAXU_BINGX_URL.rstrip("/")


def _point_bingx(client: Any) -> None:
    """Every BingX API section (and ``agent``) at FLAXU_BINGX_URL, or ``agent`` added to BingX's own."""
    api = dict(client.urls["api"])
    root = _bingx_root()
    if root:
        api = {section: root for section in api}
    api["agent"] = api["account"]
    client.urls["api"] = api


def build(exchange: str, creds: ApiCredentials | None = None, sandbox: bool = False) -> Any:
    """A new ccxt client for ``exchange`` as the gateway configures it (no markets, not cached)."""
    if exchange not in EXCHANGES:
        raise InvalidRequest(f"Unknown exchange {exchange!r}; expected one of {', '.join(EXCHANGES)}.")
    if sandbox and exchange != BINGX:
        raise InvalidRequest("Demo trading is supported for BingX only.")
    config: dict[str, Any] = {
        "enableRateLimit": True,
        "timeout": settings.FLAXU_EXCHANGE_TIMEOUT_MS,
        "options": {"defaultType": DEFAULT_TYPES[exchange]},
    }
    if exchange == BINGX:
        config["tokenBucket"] = {"capacity": BINGX_BURST_COST}
    if creds is not None:
        # Where ccxt receives the key and secret (revealed inline): it keeps them on the client to sign requests.
        client = _strict_class(exchange)({**config, "apiKey": creds.api_key.reveal(), "secret": creds.secret.reveal()})
    else:
        client = _strict_class(exchange)(config)
    client.verbose = False
    client.logger = _CcxtLog()
    if sandbox:
        client.set_sandbox_mode(True)
    if exchange == BINGX:
        _point_bingx(client)
    return client


# --- Markets: loaded once per process and endpoint -------------------------------------------------
class _MarketSource:
    """A keyless client that loads the endpoint's markets; used only under its lock."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.loaded_at = 0.0
        self.generation = 0
        self.lock = threading.Lock()


_sources: dict[tuple, _MarketSource] = {}
_sources_lock = threading.Lock()


def _endpoint_key(exchange: str, sandbox: bool) -> tuple:
    return (exchange, sandbox, _bingx_root() if exchange == BINGX else "", settings.FLAXU_EXCHANGE_TIMEOUT_MS)


def _source(exchange: str, sandbox: bool) -> _MarketSource:
    key = _endpoint_key(exchange, sandbox)
    with _sources_lock:
        source = _sources.get(key)
        if source is None:
            source = _sources[key] = _MarketSource(build(exchange, None, sandbox))
    return source


def _fresh(source: _MarketSource) -> bool:
    return bool(source.client.markets) and time.monotonic() - source.loaded_at < MARKETS_MAX_AGE_SECONDS


def _loaded_source(exchange: str, sandbox: bool) -> _MarketSource:
    """The endpoint's market source, loading (or refreshing) its markets if needed.

    Raises ccxt errors: call through resilience.run.
    """
    source = _source(exchange, sandbox)
    if not _fresh(source):
        with source.lock:
            if not _fresh(source):
                source.client.load_markets(reload=bool(source.client.markets))
                source.loaded_at = time.monotonic()
                source.generation += 1
    return source


def forget_markets() -> None:
    """Drop every shared market table and this thread's cached clients (tests)."""
    with _sources_lock:
        _sources.clear()
    forget_clients()


def forget_clients() -> None:
    """Drop this thread's cached clients (tests)."""
    _local.__dict__.clear()


# --- Clients, cached per thread -------------------------------------------------------------------
_local = threading.local()


def _cache_key(exchange: str, creds: ApiCredentials | None, sandbox: bool) -> tuple:
    digest = None
    if creds is not None:
        digest = hashlib.sha256(f"{creds.api_key.reveal()}\0{creds.secret.reveal()}".encode()).hexdigest()
    return (*_endpoint_key(exchange, sandbox), digest)


def client(exchange: str, creds: ApiCredentials | None = None) -> Any:
    """This thread's ccxt client for ``exchange`` (signed with ``creds`` if given), markets loaded.

    Loads the endpoint's markets on first use, so it raises ccxt errors: call it inside resilience.run.
    """
    sandbox = bool(creds and creds.sandbox)
    source = _loaded_source(exchange, sandbox)
    clients: OrderedDict = _local.__dict__.setdefault("clients", OrderedDict())
    key = _cache_key(exchange, creds, sandbox)
    entry = clients.get(key)
    if entry is None:
        entry = clients[key] = [build(exchange, creds, sandbox), -1]
        if len(clients) > CLIENTS_PER_THREAD:
            clients.popitem(last=False)
    else:
        clients.move_to_end(key)
    if entry[1] != source.generation:
        with source.lock:
            entry[0].set_markets_from_exchange(source.client)
            entry[1] = source.generation
    return entry[0]


_capabilities: dict[str, dict] = {}


def offers(exchange: str, capability: str) -> bool:
    """Whether ccxt implements ``capability`` (e.g. fetchLongShortRatioHistory) for ``exchange``; no network."""
    has = _capabilities.get(exchange)
    if has is None:
        has = _capabilities.setdefault(exchange, dict(getattr(ccxt, exchange)().has))
    return bool(has.get(capability))
