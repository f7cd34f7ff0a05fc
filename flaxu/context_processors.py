import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def site(request: HttpRequest) -> dict:
    """Values every template needs: the site name and canonical URL for meta tags, and the DEMO badge."""
    return {"SITE_NAME": "FLAXU", "SITE_URL": settings.SITE_URL, **market_source(request)}


def market_source(request: HttpRequest) -> dict:
    """``MARKET_DEMO`` (replay data: every page shows a DEMO badge) and ``MARKET_SOURCE_DETAIL``.

    Called from ``site`` so no settings change is needed; never breaks a page (error pages included).
    """
    try:
        from market.sources import get_source

        source = get_source()
        return {"MARKET_DEMO": bool(source.is_demo), "MARKET_SOURCE_DETAIL": getattr(source, "detail", "")}
    except Exception:
        logger.exception("market source unavailable for the DEMO badge")
        return {"MARKET_DEMO": False, "MARKET_SOURCE_DETAIL": ""}
