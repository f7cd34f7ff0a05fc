"""The staff pages as staff see them: /staff/ (figures, period form, charts' data) and /staff/inactive/ (list,
filters, CSV, bulk actions); who may enter; bad input answered on the form, never with a 500."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ExchangeCredential
from adminpanel.models import StaffAction
from gatekeeper.models import Access
from tests.adminpanel.dashboard_data import add_check, add_key, add_trade, make_user, queries_counted
from tests.factories import UserFactory
from tests.flaxu.test_csp import assert_passes_policy
from trading.models import TradingProfile

pytestmark = pytest.mark.django_db


def cell(html: str, marker: str) -> str:
    """The text of the first element after ``marker`` (e.g. a ``data-figure="total">`` cell)."""
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)].strip()


@pytest.fixture
def customers():
    """Two customers of today: a FULL one with a key and a trade, a LIMITED one without."""
    now = timezone.now()
    full = make_user("full@example.com", joined=now - timedelta(days=3), last_login=now - timedelta(hours=1))
    add_key(full)
    add_check(full, source="connect", code="full", at=now - timedelta(days=2), outcome="FULL")
    Access.objects.create(user=full, level="FULL", code="full", qualified_at=now - timedelta(days=2))
    add_trade(full, mode="live", status="CLOSED", signal_type="ICT", opened=now - timedelta(hours=5),
              closed=now - timedelta(hours=4), pnl="42.10")  # fmt: skip
    idle = make_user("idle@example.com", joined=now - timedelta(days=1), verified=False)
    return full, idle


# --- who may enter ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/staff/", "/staff/inactive/", "/staff/inactive.csv"])
def test_signed_out_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/staff/", "/staff/inactive/", "/staff/inactive.csv"])
def test_users_who_are_not_staff_get_403(client, url):
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_non_staff_cannot_post_a_bulk_action(client, customers):
    client.force_login(UserFactory())
    _, idle = customers
    response = client.post("/staff/inactive/", {"users": [idle.pk], "action": "suspend", "reason": "x"})
    assert response.status_code == 403
    assert not StaffAction.objects.exists()


def test_staff_without_2fa_are_sent_to_the_admin_login(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- the overview ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/staff/", "/staff/?preset=all", "/staff/inactive/"])
def test_the_staff_pages_pass_the_content_security_policy(staff_client, customers, path):
    # The charts' data is a JSON script element, their code static/js/staff_charts.js: nothing inline runs.
    add_key(customers[1])  # idle@ is on the inactive list
    assert_passes_policy(staff_client, path)
    html = staff_client.get(path).content.decode()
    assert "abcd…wxyz" not in html  # not even the masked key


def test_staff_see_the_figures(staff_client, customers):
    response = staff_client.get("/staff/")
    assert response.status_code == 200
    html = response.content.decode()
    # The staff member is not counted.
    assert cell(html, 'data-figure="total">') == "2"
    assert cell(html, 'data-figure="verified">') == "1"
    assert cell(html, 'data-figure="with_keys">') == "1"
    assert cell(html, 'data-figure="full">') == "1"
    assert cell(html, 'data-figure="limited">') == "1"
    assert cell(html, 'data-figure="active_7d">') == "1"
    assert cell(html, '<tr data-figure="executed"><th>Trades executed</th><td class="num" data-mode="paper">') == "0"
    assert cell(html, '<td class="num" data-mode="live">') == "1"
    assert "+42.10" in html
    assert cell(html, 'id="referral-conversion">') == "100.0 %"
    funnel = response.context["funnel"]
    assert [s.count for s in funnel] == [2, 1, 1, 1, 1]


def test_the_charts_data_is_on_the_page_for_the_script(staff_client, customers):
    response = staff_client.get("/staff/?preset=7")
    html = response.content.decode()
    assert 'src="/static/js/staff_charts.js"' in html
    assert "lightweight-charts.standalone.production.js" in html
    start = html.index('<script id="staff-chart-data" type="application/json">') + len(
        '<script id="staff-chart-data" type="application/json">'
    )
    data = json.loads(html[start : html.index("</script>", start)])
    assert len(data["signups"]) == 7  # one point per day of the period, gaps as 0
    assert sum(n for _, n in data["signups"]) == 2
    assert sum(v for _, v in data["pnl"]["live"]) == pytest.approx(42.10)
    assert sum(v for _, v in data["pnl"]["paper"]) == 0
    assert data["full_users"][-1][1] == 1


def test_all_time_charts_start_on_the_first_day_anything_happened(staff_client, customers):
    html = staff_client.get("/staff/?preset=all").content.decode()
    marker = '<script id="staff-chart-data" type="application/json">'
    start = html.index(marker) + len(marker)
    data = json.loads(html[start : html.index("</script>", start)])
    first_signup = (timezone.now() - timedelta(days=3)).date()  # full@ registered 3 days ago
    assert len(data["signups"]) == (timezone.now().date() - first_signup).days + 1
    assert data["signups"][0][1] == 1


def test_a_custom_period_narrows_the_funnel(staff_client, customers):
    today = timezone.now().date()
    response = staff_client.get(f"/staff/?since={today - timedelta(days=1)}&until={today}")
    assert response.status_code == 200
    assert response.context["funnel"][0].count == 1  # idle registered yesterday; full 3 days ago


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday",
        "since=2026-02-30",
        "since=2026-05-10&until=2026-05-01",
        "preset=365",
        "until=2999-01-01",
        "since=1990-01-01",
    ],
)
def test_a_bad_period_is_a_form_error_and_the_page_still_renders(staff_client, customers, query):
    response = staff_client.get(f"/staff/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="errorlist"' in html
    assert "showing the default" in html
    assert cell(html, 'data-figure="total">') == "2"


def test_the_overview_takes_the_same_queries_with_more_users_and_trades(staff_client, customers):
    def queries() -> int:
        with queries_counted() as seen:
            assert staff_client.get("/staff/?preset=all").status_code == 200
        return len(seen)

    few = queries()
    assert few > 10  # the session, the staff check and every figure
    now = timezone.now()
    for i in range(20):
        user = make_user(f"more{i}@example.com", joined=now - timedelta(days=i))
        add_trade(user, mode="paper", status="CLOSED", opened=now - timedelta(days=i, hours=2),
                  closed=now - timedelta(days=i, hours=1), pnl="1")  # fmt: skip
    assert queries() == few


# --- inactive users ------------------------------------------------------------------------------------------


def test_staff_see_the_inactive_users(staff_client, customers):
    response = staff_client.get("/staff/inactive/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "idle@example.com" in html
    assert "full@example.com" not in html  # traded 5 hours ago
    assert 'name="csrfmiddlewaretoken"' in html


def test_the_inactive_filters_apply(staff_client, customers):
    html = staff_client.get("/staff/inactive/?email=nobody").content.decode()
    assert "idle@example.com" not in html and 'id="no-inactive"' in html
    html = staff_client.get("/staff/inactive/?level=LIMITED&has_key=no").content.decode()
    assert "idle@example.com" in html


def test_bad_filters_are_form_errors(staff_client, customers):
    response = staff_client.get("/staff/inactive/?joined_after=2026-05-10&joined_before=2026-05-01&level=GOD")
    assert response.status_code == 400
    html = response.content.decode()
    assert "must be after" in html and "Select a valid choice" in html


def test_the_inactive_pages_are_paginated(staff_client):
    now = timezone.now()
    for i in range(55):
        make_user(f"p{i:02d}@example.com", joined=now - timedelta(minutes=i))
    first = staff_client.get("/staff/inactive/").content.decode()
    second = staff_client.get("/staff/inactive/?page=2").content.decode()
    assert "1\N{EN DASH}50 of 55" in first and "p00@example.com" in first and "p54@example.com" not in first
    assert "51\N{EN DASH}55 of 55" in second and "p54@example.com" in second


def test_the_inactive_page_takes_the_same_queries_whatever_the_number_of_users(staff_client, customers):
    with queries_counted() as seen:
        staff_client.get("/staff/inactive/")
    now = timezone.now()
    for i in range(60):
        make_user(f"p{i:02d}@example.com", joined=now - timedelta(minutes=i))
    with queries_counted() as seen_more:
        staff_client.get("/staff/inactive/")
    assert len(seen) > 5
    assert len(seen_more) == len(seen)


def test_the_csv_has_the_same_filters(staff_client, customers):
    response = staff_client.get("/staff/inactive.csv?has_key=no")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["email"] for r in rows] == ["idle@example.com"]
    response = staff_client.get("/staff/inactive.csv?has_key=yes")
    assert list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))) == []


def test_the_csv_with_bad_filters_is_a_400_saying_why(staff_client):
    response = staff_client.get("/staff/inactive.csv?joined_after=never")
    assert response.status_code == 400
    assert "joined_after" in response.content.decode()


def test_the_page_links_the_csv_with_the_filters(staff_client, customers):
    html = staff_client.get("/staff/inactive/?has_key=no&page=1").content.decode()
    assert 'href="/staff/inactive.csv?has_key=no"' in html


# --- bulk actions ------------------------------------------------------------------------------------------


def test_bulk_pause_pauses_each_selected_user_and_logs_who_and_why(staff_client):
    now = timezone.now()
    one = make_user("one@example.com", joined=now - timedelta(days=40))
    two = make_user("two@example.com", joined=now - timedelta(days=41))
    response = staff_client.post(
        "/staff/inactive/", {"users": [one.pk, two.pk], "action": "pause_automation", "reason": "dormant accounts"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pause automation (7 days): done for 2 users" in html
    for user in (one, two):
        profile = TradingProfile.objects.get(user=user)
        assert profile.paused_until > now + timedelta(days=6)
        assert "dormant accounts" in profile.pause_reason
    logged = StaffAction.objects.filter(actor=staff_client.staff, action="automation_pause")
    assert {a.target_id for a in logged} == {one.pk, two.pk}
    batch = StaffAction.objects.get(action="bulk_pause_automation")
    assert batch.reason == "dormant accounts" and sorted(batch.detail["users"]) == sorted([one.pk, two.pk])


def test_bulk_suspend_suspends_the_user(staff_client, customers):
    _, idle = customers
    staff_client.post("/staff/inactive/", {"users": [idle.pk], "action": "suspend", "reason": "spam signups"})
    access = Access.objects.get(user=idle)
    assert access.effective_level() == "SUSPENDED"
    assert access.override_reason == "spam signups"
    html = staff_client.get("/staff/inactive/?level=SUSPENDED").content.decode()
    assert "idle@example.com" in html


def test_a_user_the_action_refuses_is_named_and_the_others_still_get_it(staff_client, customers):
    _, idle = customers
    other = make_user("other@example.com", joined=timezone.now() - timedelta(days=60))
    staff_client.post("/staff/inactive/", {"users": [idle.pk], "action": "suspend", "reason": "spam"})
    response = staff_client.post(
        "/staff/inactive/", {"users": [idle.pk, other.pk], "action": "suspend", "reason": "spam ring"}, follow=True
    )
    html = response.content.decode()
    assert "Suspend: done for 1 user (other@example.com)." in html
    assert "idle@example.com: " in html  # why the service refused (already suspended)
    assert Access.objects.get(user=other).effective_level() == "SUSPENDED"
    assert Access.objects.get(user=idle).override_reason == "spam"  # left as it was
    batch = StaffAction.objects.filter(action="bulk_suspend").first()
    assert batch.detail["done"] == [other.pk] and batch.detail["refused"] == [idle.pk]
    assert "@" not in str(batch.detail)  # no address kept in the batch row


def test_a_recheck_of_more_users_than_bingx_can_answer_in_one_request_is_refused_whole(staff_client):
    now = timezone.now()
    many = [make_user(f"r{i}@example.com", joined=now - timedelta(days=50)).pk for i in range(26)]
    response = staff_client.post("/staff/inactive/", {"users": many, "action": "revalidate", "reason": "audit"})
    assert response.status_code == 400
    assert "Select at most 25 users for this action (you selected 26)." in response.content.decode()
    assert not StaffAction.objects.exists()


def test_bulk_recheck_records_each_check_and_keeps_the_reason_on_the_batch(staff_client):
    user = make_user("nokey@example.com", joined=timezone.now() - timedelta(days=50))
    response = staff_client.post("/staff/inactive/", {"users": [user.pk], "action": "revalidate", "reason": "audit"})
    assert response.status_code == 302
    assert StaffAction.objects.filter(action="revalidate", target=user).exists()
    assert StaffAction.objects.get(action="bulk_revalidate").reason == "audit"


def test_bulk_key_reset_deletes_the_keys(staff_client):
    user = make_user("keyed@example.com", joined=timezone.now() - timedelta(days=50))
    add_key(user)
    response = staff_client.post("/staff/inactive/", {"users": [user.pk], "action": "reset_keys", "reason": "leak"})
    assert response.status_code == 302
    assert not ExchangeCredential.objects.filter(user=user).exists()


def test_a_bulk_action_without_users_is_a_form_error(staff_client, customers):
    response = staff_client.post("/staff/inactive/", {"action": "suspend", "reason": "x"})
    assert response.status_code == 400
    assert "Select at least one user." in response.content.decode()
    assert not StaffAction.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_bulk_action_without_a_reason_is_a_form_error(staff_client, customers, reason):
    _, idle = customers
    response = staff_client.post("/staff/inactive/", {"users": [idle.pk], "action": "suspend", "reason": reason})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert f'value="{idle.pk}" id="select-{idle.pk}" aria-label="Select idle@example.com" checked>' in (
        response.content.decode()
    )  # still ticked: staff add the reason and apply again
    assert not Access.objects.filter(user=idle).exists()
    assert not StaffAction.objects.exists()


def test_a_bulk_action_on_a_staff_account_is_refused(staff_client):
    other_staff = UserFactory(is_staff=True)
    response = staff_client.post("/staff/inactive/", {"users": [other_staff.pk], "action": "suspend", "reason": "x"})
    assert response.status_code == 400
    assert not StaffAction.objects.exists()


def test_a_bulk_action_needs_the_csrf_token(staff_user, customers):
    from django.test import Client

    from tests.accounts.otp_helpers import sign_in_past_2fa

    strict = Client(enforce_csrf_checks=True)
    sign_in_past_2fa(strict, staff_user)
    _, idle = customers
    response = strict.post("/staff/inactive/", {"users": [idle.pk], "action": "suspend", "reason": "x"})
    assert response.status_code == 403
    assert not StaffAction.objects.exists()
