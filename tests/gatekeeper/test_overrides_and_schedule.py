"""Staff overrides with expiry, suspension, scheduled re-validation and FULL-only websocket groups."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import Notification
from flaxu.celery import app as celery_app
from gatekeeper import rules
from gatekeeper.models import Access, AccessCheck
from gatekeeper.selectors import effective_level
from gatekeeper.services.access import key_connect
from gatekeeper.services.overrides import access_override, overrides_expire
from gatekeeper.tasks import MIN_GAP_SECONDS, SLICE_SECONDS, revalidate_all, slice_size, spread_gap
from tests.core.realtime.sockets import connect_hello, live_socket, receive_type, run, session_cookie
from tests.factories import UserFactory
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db


def test_override_from_the_admin_wins_until_it_expires(staff_client, user):
    access = Access.objects.create(user=user, level=rules.LIMITED, reason="No key yet.")
    expires = timezone.now() + timedelta(hours=1)
    response = staff_client.post(
        f"/admin/gatekeeper/access/{access.pk}/change/",
        {
            "override_level": "FULL",
            "override_reason": "Beta tester",
            "override_expires_at_0": expires.strftime("%Y-%m-%d"),
            "override_expires_at_1": expires.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302
    assert effective_level(user) == rules.FULL
    check = AccessCheck.objects.get(user=user, source="override")
    assert check.actor == staff_client.staff and check.previous_level == rules.LIMITED and check.outcome == rules.FULL
    assert Notification.objects.filter(user=user, kind="access_changed").count() == 1

    assert overrides_expire(now=timezone.now() + timedelta(hours=2)) == 1
    assert effective_level(user) == rules.LIMITED
    assert AccessCheck.objects.filter(user=user, source="override_expired", outcome=rules.LIMITED).exists()
    assert Notification.objects.filter(user=user, kind="access_changed").count() == 2


def test_override_needs_a_reason_and_a_future_expiry(staff_client, user):
    access = Access.objects.create(user=user)
    past = timezone.now() - timedelta(hours=1)
    response = staff_client.post(
        f"/admin/gatekeeper/access/{access.pk}/change/",
        {
            "override_level": "FULL",
            "override_reason": "",
            "override_expires_at_0": past.strftime("%Y-%m-%d"),
            "override_expires_at_1": past.strftime("%H:%M:%S"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Give a reason" in page and "must be in the future" in page
    assert effective_level(user) == rules.LIMITED


def test_suspended_user_sees_why_and_nothing_more(client, user):
    access_override(user=user, level=rules.SUSPENDED, reason="Chargeback under review", expires_at=None, actor=None)
    client.force_login(user)
    assert client.get("/dashboard/")["Location"] == "/access/"
    assert client.get("/account/profile/")["Location"] == "/access/"
    api = client.get("/api/me/")
    assert api.status_code == 403 and "Chargeback under review" in api.json()["detail"]
    assert client.post("/account/data/export/").status_code == 200  # GDPR rights stay


def test_the_spread_fills_the_period_respects_the_minimum_gap_and_never_queues_beyond_a_slice():
    assert spread_gap(4, 3600) == 900
    assert spread_gap(3, 1) == MIN_GAP_SECONDS
    assert spread_gap(2, 4 * 3600) == SLICE_SECONDS  # else the second check would wait 2 h in a worker
    for count in (1, 7, 500, 10_000, 100_000):
        gap = spread_gap(count, 4 * 3600)
        size = slice_size(gap)
        # A slice's last check and the next slice are queued at most a slice ahead (broker visibility).
        assert (size - 1) * gap < SLICE_SECONDS and size * gap <= SLICE_SECONDS
        assert size * gap > SLICE_SECONDS - gap  # and a slice is as full as the gap allows


@override_settings(FLAXU_REVALIDATE_SPREAD_SECONDS=4 * 3600)
def test_revalidation_runs_in_slices_that_together_check_every_connected_user_once(bingx):
    users = [UserFactory() for _ in range(5)]
    for n, user in enumerate(users):
        trader = bingx.trader(uid=f"30{n}", deposits=[(300, "USDT", 1, ago(hours=1))])
        key_connect(user=user, api_key=trader.api_key, api_secret=trader.secret)
    AccessCheck.objects.all().delete()
    celery_app.conf.task_always_eager = True
    try:
        assert revalidate_all.apply().get() == 5
    finally:
        celery_app.conf.task_always_eager = False
    # 5 users over 4 h is one check per 48 min: more than a slice, so one user per slice, 30 min apart.
    checked = list(AccessCheck.objects.filter(source="schedule").values_list("user_id", flat=True))
    assert sorted(checked) == sorted(u.pk for u in users)


def test_scheduled_revalidation_checks_every_connected_user(bingx, django_capture_on_commit_callbacks):
    users = [UserFactory(), UserFactory()]
    for n, user in enumerate(users):
        trader = bingx.trader(uid=f"20{n}", deposits=[(300, "USDT", 1, ago(hours=1))])
        key_connect(user=user, api_key=trader.api_key, api_secret=trader.secret)
    UserFactory()  # no key: not checked
    celery_app.conf.task_always_eager = True
    try:
        assert revalidate_all.apply().get() == 2
    finally:
        celery_app.conf.task_always_eager = False
    assert AccessCheck.objects.filter(source="schedule").count() == 2


def test_limited_user_cannot_join_a_full_group_and_a_full_user_can(transactional_db, user):
    cookie = session_cookie(user)
    full_user = UserFactory()
    access_override(user=full_user, level=rules.FULL, reason="test", expires_at=None, actor=None)
    full_cookie = session_cookie(full_user)

    async def scenario(cookie_header):
        socket = live_socket(cookie_header)
        await connect_hello(socket)
        await socket.send_json_to({"type": "subscribe", "data": {"groups": ["signals.btc-usdt-usdt"]}})
        reply = (
            await receive_type(socket, "subscribed")
            if cookie_header is full_cookie
            else await receive_type(socket, "error")
        )
        await socket.disconnect()
        return reply

    async def as_full_user():
        return await scenario(full_cookie)

    async def as_limited_user():
        return await scenario(cookie)

    assert run(as_full_user)["data"]["groups"] == ["signals.btc-usdt-usdt"]
    refused = run(as_limited_user)
    assert refused["type"] == "error" and "signals.btc-usdt-usdt" in str(refused["data"])
