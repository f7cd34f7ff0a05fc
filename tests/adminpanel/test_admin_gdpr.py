"""Staff actions in a user's data rights: 'Export my data' holds what staff did to the account and why (not
which staff member), and deleting the account keeps the audit row with no one named as its target."""

from accounts.services.gdpr import user_data_export
from adminpanel.models import StaffAction
from adminpanel.services.user_actions import user_activate, user_suspend
from tests.factories import UserFactory


def test_the_export_holds_the_actions_taken_on_the_account_without_the_staff_member(staff_user):
    trader = UserFactory()
    user_suspend(user=trader, actor=staff_user, reason="chargeback under review")
    user_activate(user=trader, actor=staff_user)

    exported = user_data_export(user=trader)["staff_actions"]
    assert [(row["action"], row["reason"]) for row in exported] == [
        ("suspend", "chargeback under review"),
        ("activate", ""),
    ]
    assert all("actor" not in row and "target" not in row for row in exported)
    assert user_data_export(user=staff_user)["staff_actions"] == []  # what they did is in the others' exports


def test_deleting_the_account_keeps_the_audit_row_without_its_target(client, staff_user, password):
    trader = UserFactory()
    user_suspend(user=trader, actor=staff_user, reason="spam")
    client.force_login(trader)  # a suspended user may still delete their account
    response = client.post("/account/delete/", {"password": password, "confirm": "DELETE"})
    assert response.status_code == 302
    action = StaffAction.objects.get(action="suspend")
    assert not type(trader).objects.filter(pk=trader.pk).exists()
    assert action.target is None and action.actor == staff_user and action.reason == "spam"
