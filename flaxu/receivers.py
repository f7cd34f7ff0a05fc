"""Project-level glue between apps that must not import each other.

``market`` knows no other FLAXU app, so when a price alert fires it only sends
``market.services.alerts.alert_fired``; the project (which may import every app) turns that into an
in-app notification through ``accounts``. Connected from ``core.realtime.apps.RealtimeConfig.ready``.
The receiver runs inside the firing transaction: if it fails, the alert is not marked fired.

Open websockets follow their credentials the same way: signing out, a password change, a disabled
account, a change of access (suspension, key removal) reach `core.realtime.control` from here.
"""

from __future__ import annotations

from allauth.account import signals as allauth_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.events import credential_removed
from accounts.services.notifications import notify
from core.realtime.control import CLOSE_FORBIDDEN, sockets_close, sockets_recheck
from flaxu.sockets.auth import register_socket_refusal
from gatekeeper.models import Access
from gatekeeper.selectors import suspension_refusal
from market.services.alerts import alert_fired


@receiver(alert_fired, dispatch_uid="flaxu.price_alert_notification")
def _price_alert_notification(sender, *, alert, title: str, body: str, link: str, **kwargs) -> None:
    # The email is sent by market itself (with the push), so only the in-app row here.
    notify(user=alert.user, kind="price_alert", title=title, body=body, link=link, email=False)


# --- Websockets follow credentials and access -------------------------------------------------------


# A suspended user holds no socket: refused on connect, closed (4403) on the next re-check.
register_socket_refusal(suspension_refusal)


@receiver(user_logged_out, dispatch_uid="flaxu.sockets_close_on_logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    # Sent before the session is flushed: its key still names the sockets it opened.
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        sockets_close(user_id=user.pk, session_key=session_key, reason="Signed out.")


@receiver(allauth_signals.password_changed, dispatch_uid="flaxu.sockets_close_on_password_changed")
@receiver(allauth_signals.password_set, dispatch_uid="flaxu.sockets_close_on_password_set")
@receiver(allauth_signals.password_reset, dispatch_uid="flaxu.sockets_close_on_password_reset")
def _password_changed(sender, request, user, **kwargs) -> None:
    sockets_close(user_id=user.pk, reason="Your password changed; connect again.")


@receiver(post_save, sender=get_user_model(), dispatch_uid="flaxu.sockets_close_when_disabled")
def _user_saved(sender, instance, created, **kwargs) -> None:
    if not created and not instance.is_active:
        sockets_close(user_id=instance.pk, code=CLOSE_FORBIDDEN, reason="This account is disabled.")


@receiver(post_save, sender=Access, dispatch_uid="flaxu.sockets_recheck_on_access")
def _access_saved(sender, instance, **kwargs) -> None:
    # Suspended: the sockets close (4403); lost FULL: they leave the FULL-only groups.
    sockets_recheck(user_id=instance.user_id)


@receiver(credential_removed, dispatch_uid="flaxu.sockets_recheck_on_key_removed")
def _credential_removed(sender, *, user, **kwargs) -> None:
    sockets_recheck(user_id=user.pk)
