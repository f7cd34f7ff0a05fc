"""Forms for the account pages (allauth handles signup, login, email and password)."""

from __future__ import annotations

import ipaddress

from django import forms

from accounts.client_ip import client_ip
from accounts.models import User, parse_allowed_ips
from accounts.services.otp import otp_check, otp_enabled


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label="Authentication code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
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
        value = "\n".join(
            line.strip() for line in self.cleaned_data["allowed_ips"].replace(",", "\n").splitlines() if line.strip()
        )
        if value and self.request is not None:
            ip = client_ip(self.request)
            try:
                networks = parse_allowed_ips(value)
            except ValueError:
                return value  # the model validator reports which entry is wrong
            if ip and not any(ipaddress.ip_address(ip) in n for n in networks):
                raise forms.ValidationError(
                    f"Your current address {ip} is not in this list, so saving it would lock you out. Add it first."
                )
        return value


class TokenCreateForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=60, help_text="What will use it, e.g. “trading bot”.")


class ConfirmWithPasswordForm(forms.Form):
    """Password plus, when 2FA is on, a current code: used to disable 2FA and to delete the account."""

    password = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.needs_code = otp_enabled(user=user)
        if not self.needs_code:
            del self.fields["code"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That password is not correct.")
        return password

    def clean_code(self) -> str:
        code = self.cleaned_data.get("code", "")
        if self.needs_code and otp_check(user=self.user, token=code) is None:
            raise forms.ValidationError("That code is not valid. Use a current code from your app or a recovery code.")
        return code


class DeleteAccountForm(ConfirmWithPasswordForm):
    confirm = forms.CharField(label="Type DELETE to confirm", max_length=10)

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"].strip() != "DELETE":
            raise forms.ValidationError("Type DELETE in capitals to confirm.")
        return "DELETE"
