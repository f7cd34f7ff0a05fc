"""Forms for the account pages (allauth handles signup, login, email and password)."""

from __future__ import annotations

from django import forms

from accounts.client_ip import client_ip
from accounts.models import User
from accounts.services.otp import otp_enabled
from accounts.services.profile import allowed_ips_check, reauthentication_errors


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label="Authentication code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        # No numeric keypad: recovery codes have letters.
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "autofocus": True}),
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "allowed_ips"]
        widgets = {"allowed_ips": forms.Textarea(attrs={"rows": 3, "placeholder": "203.0.113.7\n198.51.100.0/24"})}

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_allowed_ips(self) -> str:
        ip = client_ip(self.request) if self.request is not None else None
        return allowed_ips_check(value=self.cleaned_data["allowed_ips"], ip=ip)


class TokenCreateForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=60, help_text="What will use it, e.g. “trading bot”.")


class ConfirmWithPasswordForm(forms.Form):
    """Password plus, when 2FA is on, a current code: used to disable 2FA and to delete the account."""

    password = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.needs_code = otp_enabled(user=user)
        if not self.needs_code:
            del self.fields["code"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if "password" in cleaned:  # else "required" is already reported
            errors = reauthentication_errors(user=self.user, password=cleaned["password"], code=cleaned.get("code", ""))
            for field, message in errors.items():
                self.add_error(field, message)
        return cleaned


class DeleteAccountForm(ConfirmWithPasswordForm):
    confirm = forms.CharField(label="Type DELETE to confirm", max_length=10)

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"].strip() != "DELETE":
            raise forms.ValidationError("Type DELETE in capitals to confirm.")
        return "DELETE"
