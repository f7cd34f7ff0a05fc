"""Third-party apps under names staff can read in the admin (one section per app, none twice).

allauth's `account` app and ours are both called "Accounts" by default; django-otp's plugins show as
"Otp_Totp" and "Otp_Static". Only the verbose names change: labels, tables and migrations stay theirs.
"""

from __future__ import annotations

from allauth.account.apps import AccountConfig
from django.contrib.auth.apps import AuthConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class SignInEmailsConfig(AccountConfig):
    verbose_name = "Sign-in email addresses"


class GroupsConfig(AuthConfig):
    verbose_name = "Staff groups and permissions"


class AuthenticatorAppsConfig(TOTPConfig):
    verbose_name = "Two-factor: authenticator apps"


class RecoveryCodesConfig(StaticConfig):
    verbose_name = "Two-factor: recovery codes"
