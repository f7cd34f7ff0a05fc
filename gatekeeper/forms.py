"""The "Connect BingX" form. Its fields, and how they are validated, come from accounts.forms_credentials."""

from __future__ import annotations

from django import forms

from accounts.forms_credentials import api_key_field, api_secret_field

# Shown under the emptied secret box after a refusal (a message, not a secret).
PASTE_SECRET_AGAIN = "Paste the secret again: for your safety FLAXU never sends it back to your browser."  # noqa: S105


class KeyConnectForm(forms.Form):
    api_key = api_key_field("The “API Key” BingX shows for the new key.")
    api_secret = api_secret_field(
        "The “Secret Key”, shown by BingX only once. FLAXU stores it encrypted and never shows it again."
    )

    def refuse(self, reason: str) -> None:
        """After BingX refused the key (or could not be asked): say why, keep the API key, ask for the secret again.

        The API key goes back only into this response to the user's own submission; the secret never does.
        """
        self.add_error(None, reason)
        self.fields["api_key"].widget = forms.TextInput(attrs=self.fields["api_key"].widget.attrs)
        self.add_error("api_secret", PASTE_SECRET_AGAIN)

    def clean(self) -> dict:
        cleaned = super().clean()
        api_key, api_secret = cleaned.get("api_key"), cleaned.get("api_secret")
        if api_key and api_secret and api_key == api_secret:
            self.add_error("api_secret", "This is the API key again: paste the Secret Key here.")
        return cleaned
