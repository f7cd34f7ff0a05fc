"""FULL access, enforced the same way on pages, the API and websocket groups."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from rest_framework.permissions import BasePermission

from gatekeeper.selectors import full_access_refusal, request_access

# Websocket groups only FULL users may join.
FULL_GROUP_PREFIXES = ("signals.", "sniper.", "trading.")


class FullAccessRequired(BasePermission):
    """DRF: 403 with the reason (e.g. "deposit $80.00 more before …") unless the user has FULL access."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        refusal = full_access_refusal(user, access=request_access(request, user) if user.is_authenticated else None)
        if refusal:
            self.message = refusal
            return False
        return True


def full_access_required(view):
    """Pages: show why access is locked (and how to unlock it) instead of the page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        refusal = full_access_refusal(request.user, access=request_access(request, request.user))
        if refusal:
            return render(request, "gatekeeper/locked.html", {"refusal": refusal}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def can_join_full_group(user, group: str) -> bool:
    return full_access_refusal(user) is None
