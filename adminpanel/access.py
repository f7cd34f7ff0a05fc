"""Who may use the staff pages: the admin site's rule (active staff who passed 2FA this session)."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


def staff_required(view):
    """Signed out: the login page. Not staff: 403. Staff without 2FA: the admin login, which sends them
    to enrol (a staff member with 2FA enrolled is already held at the code prompt by the middleware)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if admin.site.has_permission(request):
            return view(request, *args, **kwargs)
        if request.user.is_active and request.user.is_staff:
            return redirect(f"{reverse('admin:login')}?{urlencode({'next': request.get_full_path()})}")
        raise PermissionDenied("Staff only.")

    return wrapper
