from rest_framework import serializers

from accounts.client_ip import client_ip
from accounts.models import ApiToken, Notification, User
from accounts.services.profile import allowed_ips_check, reauthentication_errors

# reauthentication_errors() names the web form's fields; the API names them unambiguously.
_REAUTH_FIELDS = {"password": "current_password", "code": "otp_code"}


class MeSerializer(serializers.ModelSerializer):
    """Changing `allowed_ips` needs the owner present, as on the web: password, and a 2FA code when 2FA is on."""

    current_password = serializers.CharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Your current password: required to change allowed_ips.",
    )
    otp_code = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="With 2FA on: a current authenticator code or a recovery code; required to change allowed_ips.",
    )

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "allowed_ips", "date_joined", "current_password", "otp_code"]
        read_only_fields = ["id", "email", "date_joined"]

    def validate_allowed_ips(self, value: str) -> str:
        return allowed_ips_check(value=value, ip=client_ip(self.context["request"]))

    def validate(self, attrs: dict) -> dict:
        password = attrs.pop("current_password", "")
        code = attrs.pop("otp_code", "")
        if "allowed_ips" in attrs and attrs["allowed_ips"] != self.instance.allowed_ips:
            if not password:
                raise serializers.ValidationError(
                    {"current_password": ["Enter your current password to change the IP allow-list."]}
                )
            errors = reauthentication_errors(user=self.instance, password=password, code=code)
            if errors:
                raise serializers.ValidationError({_REAUTH_FIELDS[k]: [m] for k, m in errors.items()})
        return attrs


class TokenSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "active"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, trim_whitespace=True)


class TokenCreatedSerializer(TokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class NotificationsReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(help_text="How many unread notifications were marked read.")
