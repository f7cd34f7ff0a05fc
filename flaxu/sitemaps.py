from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class PublicPagesSitemap(Sitemap):
    """Pages anyone may see (the product is behind login; these are the doors)."""

    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["home", "account_signup", "account_login"]

    def location(self, item: str) -> str:
        return reverse(item)
