from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class PublicPagesSitemap(Sitemap):
    """Pages anyone may see (the product is behind login; these are the doors, and the public markets)."""

    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["home", "markets", "account_signup", "account_login"]

    def location(self, item: str) -> str:
        return reverse(item)

    # The canonical address comes from FLAXU_SITE_URL (the Site row follows it only after a migrate).
    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or super().get_protocol(protocol)

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc or super().get_domain(site)
