"""Signals accounts sends so other apps can react without accounts importing them.

Receivers live in the reacting app (e.g. gatekeeper/receivers.py) and only call that app's services.
"""

from django.dispatch import Signal

# Sent by credential_delete once the deletion has committed, with `user`, `credential_id`, `exchange` and
# `request` (None outside a request). The key is gone by then: receivers get ids, never the row.
credential_removed = Signal()
