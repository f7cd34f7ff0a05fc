"""Content-Security-Policy: every page a user meets carries it, and every page passes it.

Passing is checked on the HTML a browser would get: no inline script body, no on*= handler, no
style="..." attribute or <style> element (the policy allows neither), and nothing loaded from another
origin. tests/e2e/test_csp_browser.py checks the same in Chromium, where the browser itself enforces it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from market.services.snapshots import snapshots_refresh_all
from market.sources import get_source, reset_source
from tests.factories import UserFactory
from tests.trading.factories import grant_full
from trading.models import Backtest

pytestmark = pytest.mark.django_db

# Elements and attributes that make the browser load something (navigation links are not loads).
RESOURCE_ATTRIBUTES = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "frame": "src",
    "embed": "src",
    "object": "data",
    "source": "src",
    "audio": "src",
    "video": "src",
    "track": "src",
    "form": "action",
}
LOADED_LINKS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "manifest"}
# What a script element may carry and still not be executed (json_script data islands).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}

ANONYMOUS_PAGES = ["home", "account_login", "account_signup", "markets"]
SIGNED_IN_PAGES = [
    "dashboard",
    "markets",
    "market_alerts",
    "access_status",
    "access_connect",
    "credentials",
    "api_tokens",
    "otp_setup",
    "profile",
    "security_activity",
    "signal_list",
    "backtest_list",
]
ADMIN_PAGES = ["/admin/", "/admin/accounts/user/", "/admin/market/pricealert/add/"]


class PolicyAudit(HTMLParser):
    """Everything in a page that a strict `script-src 'self'; style-src 'self'` policy would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.loads: list[str] = []
        self.icons: list[str] = []
        self._script: str | None = None  # body of the script element being read, if it would run
        self._style = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}> (inline event handler)")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}> (inline style attribute)")
            if (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}> (javascript: URL)")
        is_data = (attributes.get("type") or "").lower() in DATA_SCRIPT_TYPES
        if tag == "script" and not attributes.get("src") and not is_data:
            self._script = ""
        if tag == "style":
            self._style = True
            self.problems.append("<style> element (inline stylesheet)")
        if tag in RESOURCE_ATTRIBUTES and attributes.get(RESOURCE_ATTRIBUTES[tag]):
            self.loads.append(attributes[RESOURCE_ATTRIBUTES[tag]])
        if tag == "link":
            rels = set((attributes.get("rel") or "").lower().split())
            if rels & LOADED_LINKS and attributes.get("href"):
                self.loads.append(attributes["href"])
            if "icon" in rels and attributes.get("href"):
                self.icons.append(attributes["href"])

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            if self._script.strip():
                self.problems.append(f"inline <script>: {self._script.strip()[:80]!r}")
            self._script = None
        if tag == "style":
            self._style = False


def audit(response) -> PolicyAudit:
    parser = PolicyAudit()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def assert_passes_policy(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.get("Location"))
    policy = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("script-src") == ["'self'"], (path, policy)
    assert directives.get("style-src") == ["'self'"], (path, policy)
    assert directives.get("object-src") == ["'none'"], (path, policy)
    assert directives.get("frame-ancestors") == ["'none'"], (path, policy)
    assert directives.get("base-uri") == ["'self'"] and directives.get("form-action") == ["'self'"], (path, policy)
    page = audit(response)
    assert page.problems == [], path
    foreign = [url for url in page.loads if urlsplit(url).netloc or urlsplit(url).scheme in ("http", "https")]
    assert foreign == [], (path, foreign)
    assert page.icons, f"{path} links no icon"
    for icon in page.icons:
        static_path = urlsplit(icon).path.removeprefix("/static/")
        assert finders.find(static_path), f"{path}: icon {icon} does not resolve"


@pytest.fixture
def market():
    reset_source()
    snapshots_refresh_all(source=get_source())
    yield
    reset_source()


def test_the_policy_names_the_websocket_origin_of_this_host(client):
    policy = client.get("/", HTTP_HOST="localhost").get("Content-Security-Policy")
    connect = next(part.split()[1:] for part in policy.split(";") if part.split()[0] == "connect-src")
    assert connect == ["'self'", "ws://localhost"]
    secure = client.get("/", HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https", secure=True)
    assert "wss://localhost" in secure["Content-Security-Policy"]


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_anonymous_pages_carry_and_pass_the_policy(client, market, name):
    assert_passes_policy(client, reverse(name))


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_signed_in_pages_carry_and_pass_the_policy(client, market, name):
    user = UserFactory()
    grant_full(user)  # FULL sees every card and page
    client.force_login(user)
    assert_passes_policy(client, reverse(name))


@pytest.mark.parametrize("name", ["dashboard", "access_status"])
def test_limited_users_pages_pass_the_policy(client, name):
    client.force_login(UserFactory())  # LIMITED, no key: the "Connect BingX" callouts
    assert_passes_policy(client, reverse(name))


def test_not_found_page_passes_the_policy(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert audit(response).problems == []


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_staff_admin_pages_carry_and_pass_the_policy(path):
    staff = UserFactory(is_staff=True, is_superuser=True)
    device = StaticDevice.objects.create(user=staff, name="backup", confirmed=True)
    client = Client()
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # what django_otp.login() stores
    session.save()
    assert_passes_policy(client, path)


def test_favicon_ico_leads_to_the_icon_every_page_links(client):
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    target = urlsplit(response["Location"]).path
    assert target.startswith("/static/") and finders.find(target.removeprefix("/static/"))
    assert audit(client.get("/")).icons == [target]


def test_a_running_backtests_progress_bar_passes_the_policy(client):
    user = UserFactory()
    grant_full(user)
    backtest = Backtest.objects.create(
        user=user,
        exchange="bingx",
        symbol="BTC/USDT:USDT",
        timeframe="5m",
        start=datetime(2024, 1, 2, tzinfo=UTC),
        end=datetime(2024, 1, 3, tzinfo=UTC),
        progress=37,
    )
    client.force_login(user)
    assert_passes_policy(client, reverse("backtest_detail", args=[backtest.pk]))
    assert 'class="bar pct-37"' in client.get(reverse("backtest_detail", args=[backtest.pk])).content.decode()
