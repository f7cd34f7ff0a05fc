"""allauth hooks: refuse logins from outside a user's IP allow-list; say how long a lock-out lasts."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts.client_ip import client_ip
from accounts.login_limits import login_lockout_message
from accounts.models import ActivityLog
from accounts.services.activity import activity_record

IP_REFUSED_MESSAGE = (
    "Login refused: your account only accepts logins from the addresses in its IP allow-list, "
    "and {ip} is not one of them."
)


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials):
        """allauth's failed-login limits, with a refusal that says which limit and how long to wait."""
        key = self._get_login_attempts_cache_key(request, **credentials)
        locked = "too_many_login_attempts"
        # Check every limit before counting the try against any: a try refused by the IP's limit must
        # not spend the account's budget too, or one address could lock any number of accounts.
        if not ratelimit.consume(request, action="login_failed", key=key, dry_run=True):
            raise forms.ValidationError(login_lockout_message(request, key=key), code=locked)
        try:
            super().pre_authenticate(request, **credentials)  # counts the try (and refuses on a race)
        except forms.ValidationError as exc:
            if exc.code != locked:
                raise
            raise forms.ValidationError(login_lockout_message(request, key=key), code=locked) from None

    def pre_login(self, request, user, **kwargs):
        ip = client_ip(request)
        if not user.ip_is_allowed(ip):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            activity_record(action=ActivityLog.Action.LOGIN_BLOCKED_IP, user=user, request=request)
            messages.error(request, IP_REFUSED_MESSAGE.format(ip=ip or "your address"))
            return HttpResponseRedirect(reverse("account_login"))
        return super().pre_login(request, user, **kwargs)
