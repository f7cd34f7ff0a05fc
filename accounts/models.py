"""Who the users are, what they did, how they reach the API, and their encrypted exchange keys."""

from __future__ import annotations

import hashlib
import ipaddress

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        """An operator's account (`manage.py createsuperuser`): its address counts as verified, so it can log in."""
        from allauth.account.models import EmailAddress  # allauth's models need the app registry ready

        extra.update(is_staff=True, is_superuser=True)
        with transaction.atomic(using=self._db):
            user = self._create(email, password, **extra)
            EmailAddress.objects.using(self._db).update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
        return user


def validate_allowed_ips(value: str) -> None:
    for entry in parse_allowed_ips(value, strict=False):
        if isinstance(entry, str):
            raise ValidationError(f"“{entry}” is not an IP address or network (e.g. 203.0.113.7 or 203.0.113.0/24).")


def parse_allowed_ips(value: str, *, strict: bool = True) -> list:
    """The allow-list as networks; with strict=False, unparsable entries come back as strings."""
    networks: list = []
    for raw in value.replace(",", "\n").split():
        try:
            networks.append(ipaddress.ip_network(raw, strict=False))
        except ValueError:
            if strict:
                raise
            networks.append(raw)
    return networks


class User(AbstractBaseUser, PermissionsMixin):
    """A FLAXU user; the email address is the login. Profile fields live here too."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Can log into the admin site (after 2FA).")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    allowed_ips = models.TextField(
        "IP allow-list",
        blank=True,
        validators=[validate_allowed_ips],
        help_text="Optional. One address or network per line; logins and API calls from anywhere else are refused.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        # The email is the login: one spelling per address, whoever creates the row.
        self.email = self.email.strip().lower()

    def ip_is_allowed(self, ip: str | None) -> bool:
        networks = parse_allowed_ips(self.allowed_ips)
        if not networks:
            return True
        if not ip:
            return False
        address = ipaddress.ip_address(ip)
        return any(address in network for network in networks)


class ActivityLog(models.Model):
    """One security-relevant event: who, what, when, from where. Never holds a secret."""

    class Action(models.TextChoices):
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Failed login"
        LOGOUT = "logout", "Logged out"
        LOGIN_BLOCKED_IP = "login_blocked_ip", "Refused: address not in allow-list"
        OTP_ENROLLED = "otp_enrolled", "Two-factor authentication enabled"
        OTP_DISABLED = "otp_disabled", "Two-factor authentication disabled"
        OTP_FAILED = "otp_failed", "Wrong two-factor code"
        RECOVERY_CODES = "recovery_codes", "Recovery codes regenerated"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        TOKEN_BLOCKED_IP = "token_blocked_ip", "API call refused: address not in allow-list"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset"
        EMAIL_CHANGED = "email_changed", "Email address changed"
        ALLOWED_IPS_CHANGED = "allowed_ips_changed", "IP allow-list changed"
        CREDENTIAL_ADDED = "credential_added", "Exchange key added"
        CREDENTIAL_REMOVED = "credential_removed", "Exchange key removed"
        CREDENTIAL_REPLACED = "credential_replaced", "Exchange key replaced"
        DATA_EXPORTED = "data_exported", "Data exported"
        ACCESS_CHANGED = "access_changed", "Access level changed"
        ORDER = "order", "Order"
        # Trading (the trading app writes these; every settings change, pause and kill switch is logged).
        TRADING_SETTING_CHANGED = "trading_setting_changed", "Trading setting changed"
        TRADING_LIVE_ENABLED = "trading_live_enabled", "Live trading switched on"
        TRADING_LIVE_REFUSED = "trading_live_refused", "Live trading refused"
        TRADING_GLOBAL_PAUSE = "trading_global_pause", "Trading paused or resumed for everyone (staff)"
        TRADING_DAILY_LOSS_PAUSE = "trading_daily_loss_pause", "Automation paused: daily loss limit"
        TRADING_KILL_SWITCH = "trading_kill_switch", "Kill switch used"
        TRADING_PAUSE_LIFTED = "trading_pause_lifted", "Automation pause lifted by staff"
        TRADING_PAPER_RESET = "trading_paper_wallet_reset", "Paper wallet reset"

    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="activity")
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.user or 'unknown'} · {self.created_at:%Y-%m-%d %H:%M}"

    def detail_text(self) -> str:
        """The detail in words, for the activity page: ``Risk %: 1.00 → 2.00`` for a change, else ``Key: value; …``."""
        detail = dict(self.detail or {})
        parts = []
        if {"field", "old", "new"} <= detail.keys():
            field, old, new = detail.pop("field"), detail.pop("old"), detail.pop("new")
            parts.append(f"{_detail_label(field)}: {_detail_value(old)} → {_detail_value(new)}")
        parts.extend(f"{_detail_label(key)}: {_detail_value(value)}" for key, value in detail.items())
        return "; ".join(parts)


def _detail_label(key) -> str:
    return str(key).replace("_pct", " %").replace("_", " ").capitalize()


def _detail_value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_detail_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{_detail_label(k)} {_detail_value(v)}" for k, v in value.items()) or "—"
    return str(value)


class ApiToken(models.Model):
    """A named API token. Only a SHA-256 of the key is stored; the key is shown once, at creation."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=8, help_text="First characters of the key, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ExchangeCredential(models.Model):
    """A user's exchange API key and secret, AES-256-GCM encrypted (see accounts.vault)."""

    class Exchange(models.TextChoices):
        BINGX = "bingx", "BingX"

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="credentials")
    exchange = models.CharField(max_length=20, choices=Exchange.choices, default=Exchange.BINGX)
    label = models.CharField(max_length=60, default="Main")
    key_id = models.CharField(max_length=32, help_text="Which key of the ring encrypted this row.")
    api_key_encrypted = models.BinaryField()
    api_secret_encrypted = models.BinaryField()
    api_key_masked = models.CharField(max_length=16, help_text="abcd…wxyz, for display.")
    sandbox = models.BooleanField(default=False, help_text="BingX demo trading (VST) instead of real funds.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["exchange", "label"]
        constraints = [
            models.UniqueConstraint(fields=["user", "exchange", "label"], name="unique_credential_label"),
        ]

    def __str__(self) -> str:
        return f"{self.get_exchange_display()} · {self.label} · {self.api_key_masked}"

    def __repr__(self) -> str:
        return f"<ExchangeCredential {self.pk} {self.exchange} {self.api_key_masked}>"


class Notification(models.Model):
    """An in-app message for one user (access changes, alerts, orders); also pushed live and often mailed."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.title}"
