"""One staff action applied to several users at once (the inactive list's bulk actions).

Each user goes through the per-user service (adminpanel.services.user_actions), which does the work, tells the
user and logs a StaffAction of its own; a user it refuses is reported, the others still get the action. The
batch itself is one more StaffAction (no target) holding the reason and who was selected, so the reason is
kept even for an action whose per-user row has none (re-validation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.http import HttpRequest

from accounts.models import User
from adminpanel.models import StaffAction
from adminpanel.services import user_actions
from core.errors import ApplicationError

SUSPEND, PAUSE, REVALIDATE, RESET_KEYS = "suspend", "pause_automation", "revalidate", "reset_keys"
BULK_MAX_USERS = 200  # one request does them all: keep it to a few pages of the list
REVALIDATE_MAX_USERS = 25  # a re-check asks BingX for each user, seconds each when it is slow (as the admin's)


@dataclass
class BulkOutcome:
    action: str
    done: list[str] = field(default_factory=list)  # emails
    refused: list[tuple[str, str]] = field(default_factory=list)  # (email, why)


# Each bulk action's per-user service; a re-check takes no reason (the batch row keeps it).
SERVICES = {
    SUSPEND: user_actions.user_suspend,
    PAUSE: user_actions.user_automation_pause,
    REVALIDATE: user_actions.user_revalidate,
    RESET_KEYS: user_actions.user_credentials_reset,
}


def users_bulk_apply(
    *, action: str, users: Iterable[User], actor: User, reason: str, request: HttpRequest | None = None
) -> BulkOutcome:
    """Apply ``action`` to each user (each in its own transaction, in the per-user service)."""
    users = list(users)
    most = REVALIDATE_MAX_USERS if action == REVALIDATE else BULK_MAX_USERS
    if len(users) > most:
        raise ApplicationError(f"Select at most {most} users for this action (you selected {len(users)}).")
    if action not in SERVICES:
        raise ValueError(f"Unknown bulk action {action!r}")
    arguments = {} if action == REVALIDATE else {"reason": reason}
    done, refused = user_actions.users_apply(users, SERVICES[action], actor=actor, request=request, **arguments)
    outcome = BulkOutcome(
        action=action, done=[user.email for user, _ in done], refused=[(user.email, why) for user, why in refused]
    )
    done_ids, refused_ids = [user.pk for user, _ in done], [user.pk for user, _ in refused]
    # Ids only (the refusals name the user): the per-user rows point at the users and lose them when an
    # account is deleted; this row must not keep an address after its account is gone.
    StaffAction.objects.create(
        actor=actor,
        target=None,
        action=f"bulk_{action}",
        reason=reason,
        detail={"users": [u.pk for u in users], "done": done_ids, "refused": refused_ids},
    )
    return outcome
