"""Admin for accounts. Encrypted credential fields are never loaded, rendered or editable here; neither are
TOTP keys and recovery codes (the 2FA devices are shown by name and dates, and can be removed)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ActivityLog, ApiToken, ExchangeCredential, Notification, User
from accounts.services.credentials import credential_delete
from accounts.services.otp import otp_enabled
from accounts.services.tokens import token_revoke
from core.admin_bases import RecordAdmin

_CIPHERTEXT_FIELDS = ("api_key_encrypted", "api_secret_encrypted")


@admin.register(ExchangeCredential)
class ExchangeCredentialAdmin(admin.ModelAdmin):
    """Staff may relabel, flip sandbox, or remove a key; users add keys themselves."""

    list_display = ("user", "exchange", "label", "api_key_masked", "sandbox", "created_at")
    list_filter = ("exchange", "sandbox")
    search_fields = ("user__email", "label")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = ("user", "exchange", "label", "api_key_masked", "sandbox", "key_id", "created_at", "updated_at")
    readonly_fields = ("user", "exchange", "api_key_masked", "key_id", "created_at", "updated_at")
    exclude = _CIPHERTEXT_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExchangeCredential]:
        # Deferred, the ciphertext never reaches the admin process, and saves write only loaded fields.
        return super().get_queryset(request).defer(*_CIPHERTEXT_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: ExchangeCredential) -> None:
        credential_delete(credential=obj, request=request)  # keeps the activity log complete

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ExchangeCredential]) -> None:
        for credential in queryset.select_related("user"):
            credential_delete(credential=credential, request=request)


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users by email; 2FA status shown, passwords never."""

    add_form = UserCreationForm
    ordering = ("-date_joined",)
    list_display = ("email", "display_name", "is_staff", "is_active", "two_factor", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "display_name")
    readonly_fields = ("date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "allowed_ips")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.display(boolean=True, description="2FA")
    def two_factor(self, obj: User) -> bool:
        annotated = getattr(obj, "has_second_factor", None)  # the list's rows: one query for the page
        return annotated if annotated is not None else otp_enabled(user=obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # What otp_enabled asks per user (a confirmed device of any kind), for every row in the same query.
        confirmed = {"user": OuterRef("pk"), "confirmed": True}
        return (
            super()
            .get_queryset(request)
            .annotate(
                has_second_factor=Exists(TOTPDevice.objects.filter(**confirmed))
                | Exists(StaticDevice.objects.filter(**confirmed))
            )
        )


@admin.register(ActivityLog)
class ActivityLogAdmin(RecordAdmin):
    """Every user's security events, for staff; an audit trail, so nobody edits it here."""

    list_display = ("created_at", "user", "action", "ip", "user_agent")
    list_filter = ("action",)
    search_fields = ("user__email", "ip")
    date_hierarchy = "created_at"
    list_select_related = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens by name and prefix; the key itself is never stored. Staff can revoke."""

    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("user__email", "name", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset) -> None:
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            token_revoke(token=token, request=request)
        self.message_user(request, "Tokens revoked.", messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(RecordAdmin):
    """What each user was told (access changes, alerts, orders): a record, read-only."""

    list_display = ("created_at", "user", "kind", "title", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "title")
    list_select_related = ("user",)
    date_hierarchy = "created_at"


class SecondFactorAdmin(admin.ModelAdmin):
    """A user's 2FA device by name and dates only (the key or codes are never loaded into a page); staff can
    remove one (a lost phone) but never add or edit one: users enrol themselves."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__email", "name")
    list_select_related = ("user",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    fieldsets = None  # django-otp's admins set fieldsets (with the key); Django refuses both (admin.E005)
    inlines = ()  # django-otp's recovery-code inline would list the codes

    def get_fieldsets(self, request: HttpRequest, obj=None):
        return [(None, {"fields": self.fields})]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class AuthenticatorAppAdmin(SecondFactorAdmin, TOTPDeviceAdmin):  # keeps its refused QR-code/config URLs
    fields = (*SecondFactorAdmin.fields, "throttling_failure_count", "throttling_failure_timestamp")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TOTPDevice]:
        return super().get_queryset(request).defer("key")


@admin.register(StaticDevice)
class RecoveryCodesAdmin(SecondFactorAdmin, StaticDeviceAdmin):
    list_display = (*SecondFactorAdmin.list_display, "unused_codes")

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaticDevice]:
        return super().get_queryset(request).annotate(unused=Count("token_set"))

    @admin.display(description="Unused codes", ordering="unused")
    def unused_codes(self, device: StaticDevice) -> int:
        return device.unused
