"""Gatekeeper tests talk to the fake BingX through the real gateway and ccxt; nothing of ours is mocked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.fakes.bingx import Account, FakeBingX


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


def ago(**kwargs) -> timedelta:
    return timedelta(**kwargs)


@pytest.fixture
def bingx(gateway, settings) -> BingX:
    """The gateway on a clean fake BingX with the owner's agent keys configured; outages fail at once."""
    agent = gateway.add_agent(uid="9000")
    settings.FLAXU_REFERRER_AGENT_API_KEY = agent.api_key
    settings.FLAXU_REFERRER_AGENT_SECRET = agent.secret
    settings.FLAXU_REFERRER_UID = agent.uid
    settings.FLAXU_EXCHANGE_RETRIES = 0
    return BingX(gateway, agent)
