from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Values every template needs: the site name and canonical URL for meta tags."""
    return {"SITE_NAME": "FLAXU", "SITE_URL": settings.SITE_URL}
