"""The "Connect BingX" form. Its fields, and how they are validated, come from accounts.forms_credentials."""

from __future__ import annotations

from django import forms

from accounts.forms_credentials import api_key_field, api_secret_field


class KeyConnectForm(forms.Form):
    api_key = api_key_field("The “API Key” BingX shows for the new key.")
    api_secret = api_secret_field(
        "The “Secret Key”, shown by BingX only once. FLAXU stores it encrypted and never shows it again."
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        api_key, api_secret = cleaned.get("api_key"), cleaned.get("api_secret")
        if api_key and api_secret and api_key == api_secret:
            self.add_error("api_secret", "This is the API key again: paste the Secret Key here.")
        return cleaned
