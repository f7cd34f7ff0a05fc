"""Shapes of the gatekeeper API. Keys are masked on the way out; key and secret are write-only on the way in."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.fields import empty

from accounts.forms_credentials import KEY_MAX_LENGTH, KEY_MIN_LENGTH, key_charset, key_error_messages
from accounts.models import ExchangeCredential
from core.secret import Secret
from gatekeeper.models import AccessCheck, Level


class OverrideSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    reason = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Null: until staff lift it.")


class KeySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    masked = serializers.CharField(help_text="First and last four characters of the API key.")
    created_at = serializers.DateTimeField()


class AccessCheckSerializer(serializers.ModelSerializer):
    # Plain strings, not a second and third name for LevelEnum (drf-spectacular warns, and `check --deploy` fails).
    previous_level = serializers.CharField(help_text="LIMITED, FULL or SUSPENDED.")
    outcome = serializers.CharField(help_text="LIMITED, FULL or SUSPENDED (effective level after this check).")
    reasons = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = AccessCheck
        fields = ["created_at", "source", "previous_level", "outcome", "code", "reasons", "transient", "policy"]
        read_only_fields = fields


class AccessStatusSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices, help_text="Effective level (a staff override wins).")
    reason = serializers.CharField(help_text="Why, in plain words.")
    code = serializers.CharField(
        help_text="Last decision: full, qualified_before, not_referred, indirect_referral, deposit_short, "
        "no_key or key_invalid; empty before the first check."
    )
    decided_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(
        help_text="A plain sentence, set while the last check could not run (BingX unreachable, or FLAXU's own "
        "set-up, staff alerted); access unchanged. The technical detail is kept for staff."
    )
    override = OverrideSerializer(allow_null=True)
    key = KeySummarySerializer(allow_null=True)
    referral_link = serializers.URLField()
    policy = serializers.ChoiceField(choices=["rolling", "qualify_once"])
    history = AccessCheckSerializer(many=True, help_text="The last 10 checks, newest first.")


class CredentialSerializer(serializers.ModelSerializer):
    masked = serializers.CharField(source="api_key_masked", read_only=True)

    class Meta:
        model = ExchangeCredential
        fields = ["id", "exchange", "label", "masked", "sandbox", "created_at"]
        read_only_fields = fields


class SecretCharField(serializers.CharField):
    """A CharField checked as text whose validated value is a Secret (masked in every repr and error page)."""

    def run_validation(self, data: object = empty) -> Secret:
        return Secret(super().run_validation(data))


def _write_only_key(label: str, help_text: str) -> SecretCharField:
    return SecretCharField(
        write_only=True,
        trim_whitespace=True,
        min_length=KEY_MIN_LENGTH,
        max_length=KEY_MAX_LENGTH,
        validators=[key_charset(label)],
        error_messages=key_error_messages(label),
        style={"input_type": "password"},
        help_text=help_text,
    )


class CredentialConnectSerializer(serializers.Serializer):
    api_key = _write_only_key("API key", "BingX API key with Read and Perpetual Futures only. Never returned.")
    api_secret = _write_only_key("API secret", "BingX secret key. Stored encrypted, never returned.")

    def validate(self, attrs: dict) -> dict:
        if attrs["api_key"] == attrs["api_secret"]:
            raise serializers.ValidationError({"api_secret": ["This is the API key again: send the secret key."]})
        return attrs


class CredentialConnectedSerializer(serializers.Serializer):
    credential = CredentialSerializer()
    status = AccessStatusSerializer()
