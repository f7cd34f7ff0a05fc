"""Staff act on users from the admin: each action does what it says, tells the user where it should,
and is kept as a StaffAction with who and why; actions that need a reason ask for it and refuse without."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from accounts.models import ActivityLog, ExchangeCredential, Notification
from adminpanel.admin_actions import MAX_USERS_ASKING_BINGX
from adminpanel.models import StaffAction
from gatekeeper import rules
from gatekeeper.models import Access, AccessCheck
from gatekeeper.services.access import access_for, key_connect
from gatekeeper.services.overrides import access_override
from tests.accounts.otp_helpers import sign_in_past_2fa
from tests.factories import UserFactory
from tests.trading.portfolio.conftest import make_trade
from trading.models import TradingProfile
from trading.services.risk import automation_refusal

USERS = "/admin/accounts/user/"


@pytest.fixture
def act(staff_client, django_capture_on_commit_callbacks):
    """Post an admin action on `users` as staff (the intermediate page's fields in `form`, submitted with
    apply), running what the services queue for after the commit (mail, access re-decisions)."""

    def post(action: str, users, url: str = USERS, **form):
        data = {"action": action, "_selected_action": [u.pk for u in users], **form}
        if form:
            data["apply"] = "1"
        with django_capture_on_commit_callbacks(execute=True):
            return staff_client.post(url, data, follow=True)

    return post


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _actions(**filters):
    return list(StaffAction.objects.filter(**filters).values_list("action", "reason"))


def test_suspend_asks_for_a_reason_then_suspends_and_logs_who_and_why(act, staff_client):
    trader = UserFactory()
    page = staff_client.post(USERS, {"action": "suspend", "_selected_action": [trader.pk]})
    assert (
        page.status_code == 200 and trader.email in page.content.decode() and 'name="reason"' in page.content.decode()
    )
    assert access_for(trader).effective_level() == rules.LIMITED

    refused = staff_client.post(
        USERS, {"action": "suspend", "_selected_action": [trader.pk], "apply": "1", "reason": " "}
    )
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    assert access_for(trader).effective_level() == rules.LIMITED and not StaffAction.objects.exists()

    done = act("suspend", [trader], reason="chargeback fraud under review")
    assert "Suspended: 1 user(s)" in _messages(done)
    assert access_for(trader).effective_level() == rules.SUSPENDED
    action = StaffAction.objects.get(target=trader)
    assert (action.actor, action.action, action.reason) == (
        staff_client.staff,
        "suspend",
        "chargeback fraud under review",
    )
    assert action.detail == {"before": "LIMITED", "after": "SUSPENDED"}
    # The user is told why (in the app and by email), by the gatekeeper's service.
    note = Notification.objects.get(user=trader, kind="access_changed")
    assert note.body == "chargeback fraud under review"
    assert any(trader.email in m.to for m in mail.outbox)
    # And loses access: their pages send them to their access status, which says why.
    staff_client.logout()
    staff_client.force_login(trader)
    refused = staff_client.get("/signals/", follow=True)
    assert refused.redirect_chain[-1][0] == "/access/"
    assert "chargeback fraud under review" in refused.content.decode()


def test_activate_clears_a_staff_suspension_and_refuses_users_who_are_not_suspended(act, staff_client):
    suspended, other = UserFactory(), UserFactory()
    access_override(user=suspended, level=rules.SUSPENDED, reason="test", expires_at=None, actor=None)

    response = act("activate", [suspended, other])
    messages = _messages(response)
    assert "Activated: 1 user(s)" in messages
    assert f"{other.email} is not suspended" in messages
    access = Access.objects.get(user=suspended)
    assert access.effective_level() == rules.LIMITED and access.override_level == ""
    assert _actions(target=suspended) == [("activate", "")]
    assert _actions(target=other) == []


def test_an_access_override_with_a_level_reason_and_expiry_is_applied_and_logged(act, staff_client):
    trader = UserFactory()
    expires = timezone.now() + timedelta(days=3)
    response = act(
        "override_access",
        [trader],
        level="FULL",
        reason="partner account, deposit confirmed by email",
        expires_at_0=expires.strftime("%Y-%m-%d"),
        expires_at_1=expires.strftime("%H:%M:%S"),
    )
    assert "Access override saved: 1 user(s)" in _messages(response)
    access = Access.objects.get(user=trader)
    assert access.override_level == rules.FULL and access.effective_level() == rules.FULL
    assert abs(access.override_expires_at - expires) < timedelta(seconds=1)
    action = StaffAction.objects.get(target=trader)
    assert action.detail["level"] == "FULL" and action.reason == "partner account, deposit confirmed by email"
    assert AccessCheck.objects.filter(user=trader, source="override", actor=staff_client.staff).exists()


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"level": "FULL", "reason": ""}, "reason", "Give a reason"),
        ({"level": "", "reason": "forgot the level"}, "level", "Choose a level to set"),
        ({"level": "remove", "reason": "nothing to remove"}, "level", "There is no override to remove"),
        (
            {"level": "remove", "expires_at_0": "2099-01-01", "expires_at_1": "00:00:00"},
            "expires_at",
            "An expiry needs a level",
        ),
        (
            {"level": "FULL", "reason": "x", "expires_at_0": "2001-01-01", "expires_at_1": "00:00:00"},
            "expires_at",
            "in the future",
        ),
    ],
)
def test_the_override_form_refuses_input_it_would_drop_or_cannot_apply(staff_client, form, field, message):
    trader = UserFactory()
    data = {"action": "override_access", "_selected_action": [trader.pk], "apply": "1", **form}
    response = staff_client.post(USERS, data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert access_for(trader).override_level == "" and not StaffAction.objects.exists()


def test_removing_an_override_needs_no_reason(act, staff_client):
    trader = UserFactory()
    access_override(user=trader, level=rules.FULL, reason="trial", expires_at=None, actor=None)
    response = act("override_access", [trader], level="remove", reason="")
    assert "Access override saved: 1 user(s)" in _messages(response)
    assert Access.objects.get(user=trader).effective_level() == rules.LIMITED
    assert StaffAction.objects.get(target=trader).detail["after"] == rules.LIMITED


def test_revalidate_now_asks_bingx_again_and_applies_the_answer(act, staff_client, bingx):
    trader = UserFactory()
    account = bingx.trader(uid="2001")  # referred, no deposit yet: LIMITED
    key_connect(user=trader, api_key=account.api_key, api_secret=account.secret)
    assert access_for(trader).level == rules.LIMITED
    bingx.deposit("2001", 500)

    response = act("revalidate", [trader])
    assert "Re-checked against BingX: 1 user(s)" in _messages(response)
    assert access_for(trader).level == rules.FULL
    action = StaffAction.objects.get(target=trader, action="revalidate")
    assert action.detail["outcome"] == rules.FULL and action.actor == staff_client.staff
    # The user's access history says staff asked, and who (AccessCheck.actor stays staff-side).
    check = AccessCheck.objects.filter(user=trader).latest("created_at")
    assert check.get_source_display() == "Staff re-check" and check.actor == staff_client.staff


def test_reset_credentials_deletes_every_key_and_access_falls_to_limited(act, staff_client, bingx):
    trader = UserFactory()
    account = bingx.trader(uid="2002", deposits=[(500, "USDT", 1, timedelta(hours=1))])
    key_connect(user=trader, api_key=account.api_key, api_secret=account.secret)
    assert access_for(trader).level == rules.FULL
    mask = ExchangeCredential.objects.get(user=trader).api_key_masked

    response = act("reset_credentials", [trader], reason="key leaked in a support ticket")
    assert "Exchange keys deleted: 1 user(s)" in _messages(response)
    assert not ExchangeCredential.objects.filter(user=trader).exists()
    assert access_for(trader).level == rules.LIMITED
    assert ActivityLog.objects.filter(user=trader, action="credential_removed").exists()
    action = StaffAction.objects.get(target=trader)
    assert action.reason == "key leaked in a support ticket" and action.detail["removed"][0]["mask"] == mask


def test_pause_automation_stops_new_trades_until_the_chosen_time_and_tells_the_user(act, staff_client):
    trader = UserFactory()
    until = timezone.now() + timedelta(days=2)
    response = act(
        "pause_automation",
        [trader],
        reason="reconciling a failed order",
        until_0=until.strftime("%Y-%m-%d"),
        until_1=until.strftime("%H:%M:%S"),
    )
    assert "Automation paused: 1 user(s)" in _messages(response)
    profile = TradingProfile.objects.get(user=trader)
    assert abs(profile.paused_until - until) < timedelta(seconds=1)
    assert "reconciling a failed order" in automation_refusal(trader)
    assert Notification.objects.filter(user=trader, title="Automation paused by FLAXU staff").exists()
    assert _actions(target=trader) == [("automation_pause", "reconciling a failed order")]


def test_pause_without_an_end_lasts_a_week_and_a_past_end_is_refused(act, staff_client):
    trader = UserFactory()
    past = timezone.now() - timedelta(hours=1)
    refused = staff_client.post(
        USERS,
        {"action": "pause_automation", "_selected_action": [trader.pk], "apply": "1", "reason": "x",
         "until_0": past.strftime("%Y-%m-%d"), "until_1": past.strftime("%H:%M:%S")},
    )  # fmt: skip
    assert refused.status_code == 400 and "must end in the future" in refused.content.decode()
    act("pause_automation", [trader], reason="abuse report")
    paused_until = TradingProfile.objects.get(user=trader).paused_until
    assert timedelta(days=6, hours=23) < paused_until - timezone.now() <= timedelta(days=7)


def test_the_access_admin_has_the_same_actions(act, staff_client):
    trader = UserFactory()
    access = access_for(trader)
    response = act("suspend", [access], url="/admin/gatekeeper/access/", reason="spam")
    assert "Suspended: 1 user(s)" in _messages(response)
    assert access_for(trader).effective_level() == rules.SUSPENDED
    assert _actions(target=trader) == [("suspend", "spam")]


def test_the_user_page_links_to_their_trades_signals_activity_and_staff_actions(staff_client):
    trader, other = UserFactory(), UserFactory()
    from tests.trading.factories import make_signal

    acted = make_signal(bar_time=timezone.now() - timedelta(hours=2))
    ignored = make_signal(bar_time=timezone.now() - timedelta(hours=3), symbol="ETH/USDT:USDT")
    make_trade(trader, signal=acted, signal_type="ICT", symbol="BTC/USDT:USDT")
    make_trade(other, signal=ignored, signal_type="ICT", symbol="ETH/USDT:USDT")
    page = staff_client.get(f"/admin/accounts/user/{trader.pk}/change/").content.decode()
    links = {
        "trades": f"/admin/trading/trade/?user__id__exact={trader.pk}",
        "signals": f"/admin/trading/signal/?acted_on_by={trader.pk}",
        "activity": f"/admin/accounts/activitylog/?user__id__exact={trader.pk}",
        "staff": f"/admin/adminpanel/staffaction/?target__id__exact={trader.pk}",
    }
    for url in links.values():
        assert url in page
        assert staff_client.get(url).status_code == 200, url
    signals = staff_client.get(links["signals"]).context["cl"].result_list
    assert list(signals) == [acted]
    trades = staff_client.get(links["trades"]).context["cl"].result_list
    assert [t.user for t in trades] == [trader]


def test_the_access_change_form_refuses_a_reason_or_expiry_without_a_level(
    staff_client, django_capture_on_commit_callbacks
):
    """The old form discarded these silently and reported success."""
    trader = UserFactory()
    access = access_for(trader)
    url = f"/admin/gatekeeper/access/{access.pk}/change/"
    response = staff_client.post(
        url,
        {"override_level": "", "override_reason": "VIP", "override_expires_at_0": "2099-01-01",
         "override_expires_at_1": "00:00:00"},
    )  # fmt: skip
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Choose a level" in str(errors["override_level"]) and "An expiry needs a level" in str(
        errors["override_expires_at"]
    )
    assert Access.objects.get(pk=access.pk).override_level == ""

    saved = staff_client.post(url, {"override_level": "SUSPENDED", "override_reason": "bot abuse"})
    assert saved.status_code == 302
    assert access_for(trader).effective_level() == rules.SUSPENDED
    assert _actions(target=trader) == [("access_override", "bot abuse")]

    # Removing it needs no reason, and leaves the old reason in the field unused rather than refused.
    removed = staff_client.post(url, {"override_level": "", "override_reason": "bot abuse"})
    assert removed.status_code == 302
    assert access_for(trader).effective_level() == rules.LIMITED


def test_the_user_page_offers_the_actions_for_that_user(act, staff_client):
    trader = UserFactory()
    page = staff_client.get(f"/admin/accounts/user/{trader.pk}/change/").content.decode()
    assert f'name="_selected_action" value="{trader.pk}"' in page and 'value="suspend"' in page
    asked = staff_client.post(USERS, {"action": "suspend", "_selected_action": [trader.pk], "index": "0"})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    act("suspend", [trader], reason="from the user page")
    assert access_for(trader).effective_level() == rules.SUSPENDED


def test_staff_who_may_only_view_users_cannot_act_on_them(client, db):
    viewer, trader = UserFactory(is_staff=True), UserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    sign_in_past_2fa(client, viewer)
    assert client.get(USERS).status_code == 200
    client.post(USERS, {"action": "suspend", "_selected_action": [trader.pk], "apply": "1", "reason": "x"})
    assert access_for(trader).effective_level() == rules.LIMITED and not StaffAction.objects.exists()


def test_revalidate_when_bingx_is_down_leaves_access_and_queues_the_retrying_check(act, staff_client, bingx, settings):
    trader = UserFactory()
    account = bingx.trader(uid="2003", deposits=[(500, "USDT", 1, timedelta(hours=1))])
    key_connect(user=trader, api_key=account.api_key, api_secret=account.secret)
    settings.FLAXU_EXCHANGE_TIMEOUT_MS = 300
    bingx.fake.inject("/openApi/agent/v1/account/inviteRelationCheck", "http_500", count=None)

    response = act("revalidate", [trader])
    assert f"{trader.email}: BingX could not be reached; your access is unchanged. It will be retried." in _messages(
        response
    )
    assert access_for(trader).level == rules.FULL  # an outage says nothing about the user
    action = StaffAction.objects.get(target=trader, action="revalidate")
    assert action.detail["outcome"] == "queued" and "could not be reached" in action.detail["error"]


def test_an_action_with_nothing_to_do_is_refused_by_name_and_the_others_still_apply(act, staff_client):
    suspended, keyless, other = UserFactory(), UserFactory(), UserFactory()
    access_override(user=suspended, level=rules.SUSPENDED, reason="earlier", expires_at=None, actor=None)

    messages = _messages(act("suspend", [suspended, other], reason="spam wave"))
    assert f"{suspended.email} is already suspended: earlier" in messages and "Suspended: 1 user(s)" in messages
    assert _actions(target=suspended) == [] and _actions(target=other) == [("suspend", "spam wave")]

    messages = _messages(act("reset_credentials", [keyless], reason="support ticket"))
    assert f"{keyless.email} has no exchange key to delete." in messages
    assert _actions(target=keyless) == []


def test_lifting_a_pause_and_removing_a_bingx_key_are_logged_staff_actions(act, staff_client, bingx):
    trader = UserFactory()
    account = bingx.trader(uid="2004", deposits=[(500, "USDT", 1, timedelta(hours=1))])
    key_connect(user=trader, api_key=account.api_key, api_secret=account.secret)
    act("pause_automation", [trader], reason="checking an order")

    profile = TradingProfile.objects.get(user=trader)
    act("lift_pause", [profile], url="/admin/trading/tradingprofile/")
    assert TradingProfile.objects.get(user=trader).paused_until is None
    refused = _messages(act("resume_automation", [trader]))
    assert f"{trader.email}'s automation is not paused." in refused

    act("remove_bingx_key", [access_for(trader)], url="/admin/gatekeeper/access/")
    assert not ExchangeCredential.objects.filter(user=trader).exists() and access_for(trader).level == rules.LIMITED
    assert [a for a, _ in _actions(target=trader)] == ["bingx_key_remove", "automation_resume", "automation_pause"]


def test_a_selection_larger_than_an_action_takes_is_refused_whole(act, staff_client):
    users = [UserFactory() for _ in range(MAX_USERS_ASKING_BINGX + 1)]
    messages = _messages(act("revalidate", users))
    assert f"{len(users)} rows are selected: this action takes at most {MAX_USERS_ASKING_BINGX} at once" in messages
    assert not StaffAction.objects.exists() and not AccessCheck.objects.exists()
