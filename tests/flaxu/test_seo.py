"""What a search engine sees: robots.txt, the sitemap, and each public page's title and description."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser
from xml.etree import ElementTree

import pytest
from django.urls import reverse

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
PUBLIC_PAGES = ("home", "markets", "account_signup", "account_login")

pytestmark = pytest.mark.django_db


class HeadParser(HTMLParser):
    """Collects the <title> text and the <meta name="description"> content of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.title: str | None = None
        self.description: str | None = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "title":
            self._in_title = True
            self.title = ""
        elif tag == "meta" and (attributes.get("name") or "").lower() == "description":
            self.description = attributes.get("content") or ""

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def head_of(client, path: str) -> HeadParser:
    response = client.get(path)
    assert response.status_code == 200, path
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


def robots(client) -> tuple[str, RobotFileParser]:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return text, parser


def sitemap_locations(client, **request) -> list[str]:
    response = client.get("/sitemap.xml", **request)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own server's sitemap, not untrusted input
    return [loc.text.strip() for loc in root.findall("sm:url/sm:loc", SITEMAP_NS)]


def test_robots_keeps_crawlers_out_of_admin_and_api_but_lets_them_see_public_pages(client):
    _, parser = robots(client)

    for private in ("/admin/", "/admin/login/", "/api/", "/api/docs/", "/markets/alerts/", "/markets/widgets/funding/"):
        assert not parser.can_fetch("Googlebot", private), private
    for name in PUBLIC_PAGES:
        assert parser.can_fetch("Googlebot", reverse(name)), name


def test_robots_names_the_sitemap_by_absolute_url(client):
    _, parser = robots(client)

    sitemaps = parser.site_maps() or []
    assert len(sitemaps) == 1
    url = urlsplit(sitemaps[0])
    assert url.scheme in ("http", "https")
    assert url.netloc
    assert url.path == reverse("sitemap")
    assert client.get(url.path).status_code == 200


def test_sitemap_lists_the_public_pages_with_absolute_urls_anyone_can_open(client):
    locations = sitemap_locations(client)
    _, parser = robots(client)

    urls = [urlsplit(loc) for loc in locations]
    assert all(url.scheme in ("http", "https") and url.netloc for url in urls), locations
    assert {url.path for url in urls} >= {reverse(name) for name in PUBLIC_PAGES}
    for url in urls:
        assert client.get(url.path).status_code == 200, url.path  # no login wall, no redirect
        assert parser.can_fetch("Googlebot", url.path), url.path


def test_sitemap_urls_are_on_the_sites_own_domain(client, settings):
    settings.SITE_URL = "https://flaxu.example.com"
    settings.ALLOWED_HOSTS = ["flaxu.example.com"]

    locations = sitemap_locations(client, HTTP_HOST="flaxu.example.com", secure=True)

    assert locations
    assert all(loc.startswith("https://flaxu.example.com/") for loc in locations), locations


@pytest.mark.parametrize("name", ["home", "account_login"])
def test_public_page_has_a_title_and_a_meta_description(client, name):
    head = head_of(client, reverse(name))

    assert head.title is not None and head.title.strip(), f"{name}: no <title>"
    assert head.description is not None and head.description.strip(), f"{name}: no meta description"


def test_home_and_login_pages_have_different_titles(client):
    home = head_of(client, reverse("home"))
    login = head_of(client, reverse("account_login"))

    assert " ".join(home.title.split()) != " ".join(login.title.split())
