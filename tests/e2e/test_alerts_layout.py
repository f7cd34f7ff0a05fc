"""In Chromium: a price alert with the longest unbroken note keeps the alerts page within a phone's and
a desktop's screen (the note wraps; the table does not push the page sideways)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from market.models import PriceAlert
from tests.e2e.session import sign_in

pytestmark = pytest.mark.e2e

MEASURE = """() => {
  const note = [...document.querySelectorAll("#alert-list span")].find((s) => s.textContent === "W".repeat(120))
    .getBoundingClientRect();
  return {page: document.documentElement.scrollWidth, screen: document.documentElement.clientWidth,
          noteRight: note.right};
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_a_long_unbroken_note_stays_on_screen(page, live_asgi_server, user, width):
    PriceAlert.objects.create(
        user=user, exchange="bingx", symbol="BTC/USDT:USDT", condition="above", price=Decimal(10**7), note="W" * 120
    )
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_asgi_server, user)
    page.goto("/markets/alerts/")

    sizes = page.evaluate(MEASURE)

    assert sizes["page"] <= sizes["screen"] == width, sizes
    assert sizes["noteRight"] <= width, sizes
    assert page.errors == []
