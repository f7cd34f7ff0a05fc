"""The Site row (domain and name in account mail) follows FLAXU_SITE_URL and the product name."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import DEFAULT_DB_ALIAS, connections

PRODUCT_NAME = "FLAXU"


def site_sync(*, using: str = DEFAULT_DB_ALIAS, **_signal_kwargs) -> Site | None:
    """Point the current Site at FLAXU_SITE_URL's host; run after every migrate (fresh or existing DB)."""
    if Site._meta.db_table not in connections[using].introspection.table_names():
        return None  # a partial migrate that has not reached django.contrib.sites yet
    domain = urlsplit(settings.SITE_URL).netloc or settings.SITE_URL
    sites = Site.objects.using(using)
    site, _created = sites.get_or_create(pk=settings.SITE_ID, defaults={"domain": domain, "name": PRODUCT_NAME})
    if (site.domain, site.name) != (domain, PRODUCT_NAME):
        site.domain, site.name = domain, PRODUCT_NAME
        site.save(using=using)  # save(), not update(): it clears Django's cache of the current site
    return site
