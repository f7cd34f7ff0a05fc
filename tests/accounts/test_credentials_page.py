"""The "Exchange keys" page: a masked list, a link to Connect BingX (the only way in), and removal.

Removing the BingX key here goes through the gatekeeper (accounts.events.credential_removed), so access
drops at once. Keys are connected the way users do, against the fake BingX.
"""

from __future__ import annotations

import secrets
import string
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import ActivityLog, ExchangeCredential
from accounts.services.credentials import credential_create
from gatekeeper import rules
from gatekeeper.models import AccessCheck
from gatekeeper.selectors import effective_level
from tests.factories import UserFactory

URL = reverse("credentials")
CONNECT = reverse("access_connect")


def _exchange_value() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64))


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def _connect(client, account):
    response = client.post(CONNECT, {"api_key": account.api_key, "api_secret": account.secret})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_anonymous_visitors_are_sent_to_login(client, user):
    credential = credential_create(
        user=user, exchange="bingx", label="Main", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    delete = reverse("credential_delete", args=[credential.pk])
    for response in (client.get(URL), client.get(delete), client.post(delete)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert ExchangeCredential.objects.filter(pk=credential.pk).exists()


def test_the_page_has_no_add_form_and_sends_you_to_connect_bingx(signed_in):
    html = signed_in.get(URL).content.decode()
    assert 'name="api_key"' not in html and 'name="api_secret"' not in html and 'name="label"' not in html
    assert f'action="{URL}"' not in html
    assert f'href="{CONNECT}"' in html and "Connect BingX" in html
    assert "No exchange keys yet." in html


def test_posting_a_key_to_the_page_is_refused_and_stores_nothing(signed_in):
    response = signed_in.post(URL, {"exchange": "bingx", "label": "Main", "api_key": "k" * 64, "api_secret": "s" * 64})
    assert response.status_code == 405
    assert not ExchangeCredential.objects.exists()
    assert not ActivityLog.objects.filter(action=ActivityLog.Action.CREDENTIAL_ADDED).exists()


def test_a_connected_key_is_listed_masked_with_label_mode_and_date(bingx, signed_in, user):
    trader = bingx.trader()
    _connect(signed_in, trader)
    credential = ExchangeCredential.objects.get(user=user)
    html = signed_in.get(URL).content.decode()
    assert credential.api_key_masked in html and ">BingX</td>" in html and ">Real funds</td>" in html
    assert f"{credential.created_at:%Y-%m-%d %H:%M}" in html
    assert trader.api_key not in html and trader.secret not in html


def test_the_page_says_trading_is_paper_not_live(bingx, signed_in):
    _connect(signed_in, bingx.trader())
    html = signed_in.get(URL).content.decode()
    assert "Trading mode: <strong>paper</strong>" in html and "FLAXU places no orders with your keys" in html
    assert ">Live<" not in html and "Mode" not in html


def test_a_demo_key_says_so(signed_in, user):
    credential_create(
        user=user, exchange="bingx", label="Bot", sandbox=True, api_key=_exchange_value(), api_secret=_exchange_value()
    )
    assert "Demo (VST)" in signed_in.get(URL).content.decode()


def test_the_list_shows_only_my_keys(signed_in, user):
    mine = credential_create(
        user=user, exchange="bingx", label="Mine", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    theirs = credential_create(
        user=UserFactory(), exchange="bingx", label="Theirs", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    html = signed_in.get(URL).content.decode()
    assert mine.api_key_masked in html and "Mine" in html
    assert theirs.api_key_masked not in html and "Theirs" not in html


def test_another_users_key_is_a_404_on_delete_and_survives(signed_in):
    theirs = credential_create(
        user=UserFactory(), exchange="bingx", label="Main", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    url = reverse("credential_delete", args=[theirs.pk])
    assert signed_in.get(url).status_code == 404
    assert signed_in.post(url).status_code == 404
    assert ExchangeCredential.objects.filter(pk=theirs.pk).exists()
    assert not ActivityLog.objects.filter(action=ActivityLog.Action.CREDENTIAL_REMOVED).exists()


def test_a_missing_key_is_a_404(signed_in):
    assert signed_in.post(reverse("credential_delete", args=[999999])).status_code == 404


def test_remove_asks_for_confirmation_first(signed_in, user):
    credential = credential_create(
        user=user, exchange="bingx", label="Main", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    url = reverse("credential_delete", args=[credential.pk])
    response = signed_in.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove “Main”?" in html and f'action="{url}"' in html and 'method="post"' in html
    assert "your access becomes LIMITED" in html
    assert ExchangeCredential.objects.filter(pk=credential.pk).exists()


def test_remove_deletes_the_key_and_records_activity(signed_in, user, django_capture_on_commit_callbacks):
    credential = credential_create(
        user=user, exchange="bingx", label="Main", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("credential_delete", args=[credential.pk]), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "removed" in response.content.decode()
    assert not ExchangeCredential.objects.filter(pk=credential.pk).exists()
    entry = ActivityLog.objects.get(user=user, action=ActivityLog.Action.CREDENTIAL_REMOVED)
    assert entry.detail == {"label": "Main", "exchange": "bingx", "mask": credential.api_key_masked}


def test_removing_the_bingx_key_here_drops_full_to_limited_at_once_with_one_decision(
    bingx, signed_in, user, django_capture_on_commit_callbacks
):
    _connect(signed_in, bingx.trader(deposits=[(250, "USDT", 1, timedelta(hours=1))]))
    assert effective_level(user) == rules.FULL
    credential = ExchangeCredential.objects.get(user=user)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("credential_delete", args=[credential.pk]))
    assert response.status_code == 302

    assert effective_level(user) == rules.LIMITED
    removed = AccessCheck.objects.get(user=user, source=AccessCheck.Source.KEY_REMOVED)
    assert (removed.previous_level, removed.outcome, removed.code) == (rules.FULL, rules.LIMITED, "no_key")
    assert list(AccessCheck.objects.filter(user=user).values_list("source", flat=True)) == ["key_removed", "connect"]
    status = signed_in.get(reverse("access_status")).content.decode()
    assert 'data-level="LIMITED"' in status and "Next: connect BingX" in status
