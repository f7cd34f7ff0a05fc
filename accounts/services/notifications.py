"""Telling a user something: an in-app notification, a live push to their open pages, and an email."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Notification, User
from core.realtime.push import push_to_user


def notify(*, user: User, kind: str, title: str, body: str = "", link: str = "", email: bool = False) -> Notification:
    """Record the notification, push it live and (optionally) mail it, after the transaction commits."""
    notification = Notification.objects.create(user=user, kind=kind, title=title, body=body, link=link)
    push_to_user(
        user.pk,
        "notification",
        {"id": notification.pk, "kind": kind, "title": title, "body": body, "link": link},
    )
    if email:
        url = f"{settings.SITE_URL}{link}" if link else settings.SITE_URL
        message = f"{body}\n\n{url}\n" if body else f"{url}\n"
        transaction.on_commit(
            lambda: send_mail(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{title}", message, None, [user.email]),
            robust=True,
        )
    return notification


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_read(*, notification: Notification) -> None:
    """Mark one notification read (its link was opened); a read one keeps its first read time."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
