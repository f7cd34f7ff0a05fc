from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.utils import timezone

from market.exchanges import reset_process_state
from tests.cache_reset import cache_clear_own
from tests.core.realtime.pushes import PushRecorder
from tests.factories import PASSWORD, UserFactory
from tests.fakes.bingx import Account, FakeBingX

pytest_plugins = ["tests.processes", "tests.fakes.bingx.fixtures"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and throttles live in the cache: each test starts with none spent."""
    cache_clear_own()
    yield
    cache_clear_own()


@pytest.fixture(autouse=True)
def _fresh_gateway():
    """Circuit breakers and buffered health live in the process: one test's outages must not leak."""
    reset_process_state()
    yield
    reset_process_state()


@pytest.fixture
def gateway(fake_bingx, settings):
    """The fake BingX with the exchange gateway pointed at it (short timeouts for tests)."""
    settings.FLAXU_BINGX_URL = fake_bingx.api_root
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 3000
    settings.FLAXU_EXCHANGE_RETRIES = 3
    settings.FLAXU_BREAKER_FAIL_MAX = 5
    settings.FLAXU_BREAKER_RESET_SECONDS = 30
    return fake_bingx


class BoundaryFailure(RuntimeError):
    """What `network_boundary` raises: no gateway code expects it, so it travels up as an unhandled error."""


@dataclass
class NetworkBoundary:
    """Set `failing` to (method, path) and requests' transport raises BoundaryFailure for it, under ccxt."""

    failing: tuple[str, str] | None = None
    signatures: list[str] = field(default_factory=list, repr=False)  # of the requests it broke (not in reports)


@pytest.fixture
def network_boundary(monkeypatch) -> NetworkBoundary:
    """For error-report tests: a failure deep in the network stack, where ccxt's frames hold the signed request."""
    boundary = NetworkBoundary()
    send = requests.adapters.HTTPAdapter.send

    def failing_send(self, request, *args, **kwargs):
        if (request.method, urlsplit(request.url).path) == boundary.failing:
            boundary.signatures.extend(parse_qs(urlsplit(request.url).query).get("signature", []))
            raise BoundaryFailure("the connection broke inside the transport")
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", failing_send)
    return boundary


@dataclass
class BingX:
    """The fake exchange plus the platform owner's agent account, with helpers for gatekeeper scenarios."""

    fake: FakeBingX
    agent: Account

    def trader(
        self,
        uid: str = "2001",
        *,
        referred: bool = True,
        direct: bool = True,
        deposits: tuple = (),
        permissions: dict | None = None,
    ) -> Account:
        """A trader's account; `deposits` are (amount, coin, status, age) with age a timedelta before now."""
        account = self.fake.add_account(
            uid=uid,
            referrer_uid=self.agent.uid if referred else None,
            direct_invitation=direct,
            permissions=permissions,
            balances={"USDT": Decimal("1000")},
        )
        for amount, coin, status, age in deposits:
            self.deposit(uid, amount, coin=coin, status=status, at=timezone.now() - age)
        return account

    def deposit(self, uid: str, amount, *, coin: str = "USDT", status: int = 1, at: datetime | None = None) -> None:
        self.fake.add_deposit(uid, Decimal(str(amount)), coin=coin, status=status, time=at or timezone.now())


@pytest.fixture
def bingx(gateway, settings) -> BingX:
    """The gateway on a clean fake BingX with the owner's agent keys configured; outages fail at once.

    For every test that connects a key the way users do (gatekeeper and accounts alike).
    """
    agent = gateway.add_agent(uid="9000")
    settings.FLAXU_REFERRER_AGENT_API_KEY = agent.api_key
    settings.FLAXU_REFERRER_AGENT_SECRET = agent.secret
    settings.FLAXU_REFERRER_UID = agent.uid
    settings.FLAXU_EXCHANGE_RETRIES = 0
    return BingX(gateway, agent)


@pytest.fixture
def pushes():
    """What services push to websocket groups during the test (see tests/core/realtime/pushes.py)."""
    recorder = PushRecorder()
    yield recorder
    recorder.close()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff_client(client, db):
    """A superuser's client past 2FA (the admin requires it); the user is `staff_client.staff`."""
    from tests.accounts.otp_helpers import sign_in_past_2fa

    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in_past_2fa(client, staff)
    client.staff = staff
    return client
