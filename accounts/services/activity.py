"""Writing the security activity log."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.client_ip import client_ip, user_agent
from accounts.models import ActivityLog, User


def activity_record(
    *, action: str, user: User | None = None, request: HttpRequest | None = None, **detail
) -> ActivityLog:
    """Record one event. `detail` must never carry a secret: callers pass ids, names and masks only."""
    return ActivityLog.objects.create(
        user=user if user is not None and user.pk else None,
        action=action,
        ip=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
        detail=detail,
    )
