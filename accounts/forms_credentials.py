"""The "add an exchange key" form. Neither the key nor the secret is ever rendered back to the browser."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator

from accounts.models import ExchangeCredential, User

# BingX issues 64-character keys; the bounds leave room for other formats while rejecting obvious junk.
CREDENTIAL_MIN_LENGTH = 16
CREDENTIAL_MAX_LENGTH = 256
# Printable ASCII without spaces: a pasted value with a space or line break inside is a copy mistake.
_no_spaces = RegexValidator(
    r"\A[\x21-\x7e]+\Z", "Paste it exactly as BingX shows it: letters, digits and symbols, no spaces or line breaks."
)


class NoEchoTextInput(forms.TextInput):
    """A visible text box that, like PasswordInput(render_value=False), never renders a submitted value."""

    def get_context(self, name: str, value: object, attrs: dict | None) -> dict:
        return super().get_context(name, None, attrs)


def _credential_field(label: str, widget: forms.Widget, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        min_length=CREDENTIAL_MIN_LENGTH,
        max_length=CREDENTIAL_MAX_LENGTH,
        validators=[_no_spaces],
        widget=widget,
        help_text=help_text,
        # Default messages are kept value-free on purpose: they report lengths, never the input.
        error_messages={
            "required": f"Enter your {label}.",
            "min_length": f"Too short for an {label}: it needs at least %(limit_value)d characters.",
            "max_length": f"Too long for an {label}: at most %(limit_value)d characters.",
        },
    )


class CredentialCreateForm(forms.Form):
    exchange = forms.ChoiceField(
        label="Exchange", choices=ExchangeCredential.Exchange.choices, initial=ExchangeCredential.Exchange.BINGX
    )
    label = forms.CharField(
        label="Label",
        max_length=ExchangeCredential._meta.get_field("label").max_length,
        initial="Main",
        help_text="A name to tell your keys apart, e.g. “Main” or “Bot”.",
        error_messages={
            "required": "Give this key a label.",
            "max_length": "Keep the label to %(limit_value)d characters.",
        },
    )
    api_key = _credential_field(
        "API key",
        NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
        "From BingX → API management. Enable reading and trading only; never withdrawals.",
    )
    api_secret = _credential_field(
        "API secret",
        forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        "Stored encrypted; FLAXU never shows it again.",
    )
    sandbox = forms.BooleanField(
        label="Demo trading (VST)",
        required=False,
        help_text=ExchangeCredential._meta.get_field("sandbox").help_text,
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict:
        cleaned = super().clean()
        exchange, label = cleaned.get("exchange"), cleaned.get("label")
        # Case-insensitive: "Main" and "main" side by side would only confuse.
        if exchange and label and self.user.credentials.filter(exchange=exchange, label__iexact=label).exists():
            self.add_error("label", f"You already have a key labelled “{label}”. Choose another label.")
        api_key, api_secret = cleaned.get("api_key"), cleaned.get("api_secret")
        if api_key and api_secret and api_key == api_secret:
            self.add_error("api_secret", "The secret is the same as the key: paste the secret from BingX here.")
        return cleaned
