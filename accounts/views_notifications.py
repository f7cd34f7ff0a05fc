"""The notifications page, its top-bar unread badge (an htmx fragment) and opening one notification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors
from accounts.services.notifications import notification_mark_read, notifications_mark_read

PER_PAGE = 50


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """Listing does not mark anything read: the user does, with the button or by opening one."""
    page = Paginator(selectors.notifications_for_user(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page})


@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    """The bell with the unread count, fetched by the top bar after the page loads and on each live
    notification. Signed out (session ended in another tab): 204, which htmx does not swap, instead of a
    redirect whose login page would be swapped into the top bar."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    unread = selectors.unread_notification_count(user=request.user)
    return render(request, "accounts/_notification_badge.html", {"unread": unread, "counted": True})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    marked = notifications_mark_read(user=request.user)
    if marked:
        messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} as read.")
    return redirect("notifications")


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read and go to its link, which must be a path on this site."""
    notification = get_object_or_404(selectors.notifications_for_user(user=request.user), pk=pk)
    notification_mark_read(notification=notification)
    link = notification.link
    # Links are written by our services, but a stored value is never trusted as a redirect target.
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    if link:
        messages.error(request, "That notification's link does not lead to a FLAXU page, so it was not opened.")
    return redirect("notifications")
