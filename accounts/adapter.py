"""allauth hooks: refuse logins from outside a user's IP allow-list."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts.client_ip import client_ip
from accounts.models import ActivityLog
from accounts.services.activity import activity_record

IP_REFUSED_MESSAGE = (
    "Login refused: your account only accepts logins from the addresses in its IP allow-list, "
    "and {ip} is not one of them."
)


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request, user, **kwargs):
        ip = client_ip(request)
        if not user.ip_is_allowed(ip):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            activity_record(action=ActivityLog.Action.LOGIN_BLOCKED_IP, user=user, request=request)
            messages.error(request, IP_REFUSED_MESSAGE.format(ip=ip or "your address"))
            return HttpResponseRedirect(reverse("account_login"))
        return super().pre_login(request, user, **kwargs)
