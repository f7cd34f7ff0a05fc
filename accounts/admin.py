"""Admin for accounts. Encrypted credential fields are never loaded, rendered or editable here."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import ExchangeCredential
from accounts.services.credentials import credential_delete

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
