"""Receivers that turn Django/allauth auth events into ActivityLog rows (no business rules here)."""

from allauth.account import signals as allauth_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.models import ActivityLog
from accounts.services.activity import activity_record

A = ActivityLog.Action


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    activity_record(action=A.LOGIN, user=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        activity_record(action=A.LOGOUT, user=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    email = (credentials.get("email") or credentials.get("username") or "").strip().lower()
    user = get_user_model().objects.filter(email=email).first() if email else None
    # The attempted address is kept only when it belongs to nobody (staff can then spot scanning).
    activity_record(action=A.LOGIN_FAILED, user=user, request=request, **({} if user else {"email": email[:254]}))


@receiver(allauth_signals.password_changed)
def _password_changed(sender, request, user, **kwargs):
    activity_record(action=A.PASSWORD_CHANGED, user=user, request=request)


@receiver(allauth_signals.password_reset)
def _password_reset(sender, request, user, **kwargs):
    activity_record(action=A.PASSWORD_RESET, user=user, request=request)


@receiver(allauth_signals.email_changed)
def _email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    # allauth keeps EmailAddress rows; the login field on User follows the primary address.
    if user.email != to_email_address.email:
        user.email = to_email_address.email
        user.save(update_fields=["email"])
    activity_record(
        action=A.EMAIL_CHANGED,
        user=user,
        request=request,
        old=getattr(from_email_address, "email", ""),
        new=to_email_address.email,
    )
