"""The client's address as allauth sees it (honours ALLAUTH_TRUSTED_PROXY_COUNT / _CLIENT_IP_HEADER)."""

from allauth.core.internal.httpkit import get_client_ip as _allauth_client_ip
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    try:
        return _allauth_client_ip(request)
    except Exception:  # allauth refuses an inconsistent X-Forwarded-For; treat as unknown
        return None


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]
