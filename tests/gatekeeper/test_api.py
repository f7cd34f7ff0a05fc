"""The gatekeeper API (status, recheck, credentials) and FullAccessRequired, against the fake BingX through
the real gateway and ccxt."""

from __future__ import annotations

import json
import logging
import secrets
import string

import pytest
from django.urls import include, path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts.models import ExchangeCredential
from accounts.services.credentials import credential_create
from gatekeeper import rules
from gatekeeper.models import AccessCheck
from gatekeeper.permissions import FullAccessRequired
from tests.factories import UserFactory
from tests.gatekeeper.conftest import ago

pytestmark = pytest.mark.django_db

STATUS, RECHECK, CREDENTIALS = "/api/gatekeeper/status", "/api/gatekeeper/recheck", "/api/credentials/"
UID_PATH = "/openApi/account/v1/uid"
REFERRAL_PATH = "/openApi/agent/v1/account/inviteRelationCheck"


class FullOnlyView(APIView):
    permission_classes = [IsAuthenticated, FullAccessRequired]

    def get(self, request):
        return Response({"ok": True})


# The URLconf of tests marked @pytest.mark.urls(__name__): the site plus one FULL-only endpoint.
urlpatterns = [path("api/test/full-only", FullOnlyView.as_view()), path("", include("flaxu.urls"))]


def alnum(n: int = 64) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def connect(api, account):
    return api.post(CREDENTIALS, {"api_key": account.api_key, "api_secret": account.secret}, format="json")


def assert_never_returned(response, *values: str) -> None:
    body = response.content.decode() + "".join(str(v) for v in response.headers.values())
    for value in values:
        assert value not in body


def test_anonymous_callers_are_refused(db):
    client = APIClient()
    for method, url in (("get", STATUS), ("post", RECHECK), ("get", CREDENTIALS), ("post", CREDENTIALS)):
        response = getattr(client, method)(url)
        assert response.status_code in (401, 403) and set(response.json()) == {"detail", "errors"}


def test_a_new_user_is_limited_without_a_key(api, settings):
    settings.FLAXU_REFERRAL_LINK = "https://bingx.com/invite/FLAXU42"
    body = api.get(STATUS).json()
    assert body["level"] == rules.LIMITED and body["code"] == ""
    assert body["reason"] == "Connect your BingX API key to be checked."
    assert body["key"] is None and body["override"] is None and body["history"] == []
    assert body["decided_at"] is None and body["last_error"] == ""
    assert body["referral_link"] == "https://bingx.com/invite/FLAXU42" and body["policy"] == "rolling"


def test_connecting_a_qualifying_key_returns_201_with_the_masked_key_and_full_status(bingx, api, user):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(days=1))])
    response = connect(api, trader)
    assert response.status_code == 201, response.content
    body = response.json()
    credential = ExchangeCredential.objects.get(user=user)
    assert body["credential"] == {
        "id": credential.pk,
        "exchange": "bingx",
        "label": "BingX",
        "masked": credential.api_key_masked,
        "sandbox": False,
        "created_at": body["credential"]["created_at"],
    }
    status = body["status"]
    assert status["level"] == rules.FULL and status["code"] == "full"
    assert status["reason"].startswith("Direct referral confirmed and $250.00 deposited since")
    assert status["key"]["masked"] == credential.api_key_masked and status["key"]["id"] == credential.pk
    assert status["history"][0]["source"] == "connect" and status["history"][0]["outcome"] == rules.FULL
    assert_never_returned(response, trader.api_key, trader.secret)

    listed = api.get(CREDENTIALS)
    assert [c["masked"] for c in listed.json()] == [credential.api_key_masked]
    assert_never_returned(listed, trader.api_key, trader.secret)


def test_a_limited_outcome_is_still_201_with_the_reason(bingx, api):
    trader = bingx.trader(deposits=[("199.99", "USDT", 1, ago(hours=3))])
    body = connect(api, trader).json()
    assert body["status"]["level"] == rules.LIMITED and body["status"]["code"] == "deposit_short"
    assert body["status"]["reason"].startswith("You deposited $199.99 of $200.00 since")
    assert "deposit $0.01 more before" in body["status"]["reason"]


def test_a_withdraw_enabled_key_is_refused_with_400_and_not_stored(bingx, api):
    trader = bingx.trader(permissions={"enableWithdrawals": True})
    response = connect(api, trader)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"} and list(body["errors"]) == ["api_key"]
    assert body["errors"]["api_key"][0].startswith("This API key allows withdrawals. FLAXU never moves funds")
    assert body["detail"] == f"Invalid input: {body['errors']['api_key'][0]}"
    assert not ExchangeCredential.objects.exists() and not AccessCheck.objects.exists()
    assert_never_returned(response, trader.api_key, trader.secret)


def test_an_invalid_key_is_refused_with_400(bingx, api):
    trader = bingx.trader()
    response = api.post(CREDENTIALS, {"api_key": trader.api_key, "api_secret": alnum()}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["api_key"] == [
        "BingX does not accept this API key and secret: check both and try again."
    ]
    assert not ExchangeCredential.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "api_key", "Paste your BingX API key."),
        ({"api_key": None, "api_secret": alnum()}, "api_key", "Paste your BingX API key."),
        ({"api_key": "Zq7Xw9", "api_secret": alnum()}, "api_key", "This is too short for a BingX API key"),
        ({"api_key": alnum(), "api_secret": "sécret" * 10}, "api_secret", "has only letters and digits"),
        ({"api_key": "k" * 64, "api_secret": "k" * 64}, "api_secret", "This is the API key again"),
    ],
    ids=["missing", "null", "short", "accents", "same-twice"],
)
def test_malformed_input_is_a_400_with_field_errors_and_bingx_is_not_asked(bingx, api, data, field, message):
    response = api.post(CREDENTIALS, data, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(message in m for m in errors[field])
    assert bingx.fake.requests_to(UID_PATH) == []
    for value in data.values():
        if value:
            assert_never_returned(response, value)


def test_a_body_that_is_not_json_is_a_400_not_a_500(api):
    response = api.generic("POST", CREDENTIALS, "{not json", content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"detail", "errors"}


@pytest.mark.parametrize(
    ("path", "fault"), [(UID_PATH, "http_500"), (REFERRAL_PATH, "reset")], ids=["uid-500", "referral-reset"]
)
def test_bingx_down_while_connecting_is_a_503_and_nothing_is_stored(bingx, api, path, fault):
    trader = bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))])
    bingx.fake.inject(path, fault, count=None)
    response = connect(api, trader)
    assert response.status_code == 503
    assert response.json() == {
        "detail": "BingX is not answering right now, so nothing was stored. Please try again in a minute.",
        "errors": {},
    }
    assert not ExchangeCredential.objects.exists() and not AccessCheck.objects.exists()


def test_recheck_returns_the_status_and_a_second_one_is_429_with_retry_after(bingx, api, settings):
    settings.FLAXU_RECHECK_THROTTLE_SECONDS = 60
    connect(api, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))]))
    first = api.post(RECHECK)
    assert first.status_code == 200
    assert first.json()["level"] == rules.FULL and first.json()["history"][0]["source"] == "recheck"
    second = api.post(RECHECK)
    assert second.status_code == 429
    wait = int(second["Retry-After"])
    assert 1 <= wait <= 60
    assert second.json() == {
        "detail": f"You can check once every 60 seconds. Expected available in {wait} second{'s' if wait > 1 else ''}.",
        "errors": {},
    }
    assert AccessCheck.objects.filter(source="recheck").count() == 1


def test_the_recheck_limit_is_per_user(bingx, api, settings):
    settings.FLAXU_RECHECK_THROTTLE_SECONDS = 60
    assert api.post(RECHECK).status_code == 200
    other = APIClient()
    other.force_authenticate(UserFactory())
    assert other.post(RECHECK).status_code == 200


def test_recheck_while_bingx_is_down_is_a_503_and_the_status_says_so(bingx, api):
    connect(api, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))]))
    bingx.fake.inject(REFERRAL_PATH, "http_500", count=None)
    response = api.post(RECHECK)
    assert response.status_code == 503
    assert response.json() == {"detail": "BingX could not be reached; your access is unchanged.", "errors": {}}
    status = api.get(STATUS).json()
    assert status["level"] == rules.FULL and status["last_error"]
    assert status["last_attempt_at"] > status["decided_at"]
    assert status["history"][0]["transient"] is True and status["history"][0]["code"] == "unavailable"


def test_deleting_the_bingx_key_limits_access_and_others_ids_are_404(
    bingx, api, user, django_capture_on_commit_callbacks
):
    connect(api, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))]))
    credential = ExchangeCredential.objects.get(user=user)
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    response = stranger.delete(f"{CREDENTIALS}{credential.pk}/")
    assert response.status_code == 404 and set(response.json()) == {"detail", "errors"}
    assert ExchangeCredential.objects.filter(pk=credential.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{CREDENTIALS}{credential.pk}/").status_code == 204
    status = api.get(STATUS).json()
    assert status["level"] == rules.LIMITED and status["code"] == "no_key" and status["key"] is None
    assert [check["source"] for check in status["history"]] == ["key_removed", "connect"]
    assert api.delete(f"{CREDENTIALS}{credential.pk}/").status_code == 404


def test_deleting_a_spare_key_leaves_access_alone(bingx, api, user, django_capture_on_commit_callbacks):
    connect(api, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))]))
    # A second BingX key can only be a leftover from before keys were checked; access is decided from the first.
    spare = credential_create(user=user, exchange="bingx", label="Spare", api_key=alnum(), api_secret=alnum())
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{CREDENTIALS}{spare.pk}/").status_code == 204
    status = api.get(STATUS).json()
    assert status["level"] == rules.FULL and status["key"] is not None
    assert [check["source"] for check in status["history"]] == ["connect"]


def test_connecting_again_replaces_the_key_in_place_and_answers_with_the_same_id(bingx, api, user):
    first = connect(api, bingx.trader(uid="2001", deposits=[(250, "USDT", 1, ago(hours=1))])).json()
    second = connect(api, bingx.trader(uid="2002", deposits=[(250, "USDT", 1, ago(hours=1))]))
    assert second.status_code == 201
    body = second.json()
    assert body["credential"]["id"] == first["credential"]["id"]
    assert body["credential"]["masked"] != first["credential"]["masked"]
    assert [check["source"] for check in body["status"]["history"]] == ["connect", "connect"]
    assert ExchangeCredential.objects.filter(user=user).count() == 1


@pytest.mark.urls(__name__)
def test_full_access_required_refuses_a_limited_user_with_403_and_the_reason(bingx, api):
    connect(api, bingx.trader(deposits=[(120, "USDT", 1, ago(hours=1))]))
    response = api.get("/api/test/full-only")
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert detail.startswith("This needs FULL access. You deposited $120.00 of $200.00 since")
    assert "deposit $80.00 more before" in detail and response.json()["errors"] == {}


@pytest.mark.urls(__name__)
def test_full_access_required_lets_a_full_user_through(bingx, api):
    connect(api, bingx.trader(deposits=[(250, "USDT", 1, ago(hours=1))]))
    assert api.get("/api/test/full-only").json() == {"ok": True}


def test_the_endpoints_are_in_the_openapi_schema_with_write_only_secrets(api):
    schema = json.loads(api.get("/api/schema/", {"format": "json"}).content)
    paths = schema["paths"]
    assert {"get"} <= set(paths["/api/gatekeeper/status"]) and {"post"} <= set(paths["/api/gatekeeper/recheck"])
    assert {"get", "post"} <= set(paths["/api/credentials/"]) and {"delete"} <= set(paths["/api/credentials/{id}/"])
    assert {"200", "429", "503"} <= set(paths["/api/gatekeeper/recheck"]["post"]["responses"])
    assert {"201", "400", "503"} <= set(paths["/api/credentials/"]["post"]["responses"])
    components = schema["components"]["schemas"]
    assert {"api_key", "api_secret"} <= set(components["CredentialConnectRequest"]["properties"])
    for name, component in components.items():
        if not name.endswith("Request"):
            assert "api_secret" not in component.get("properties", {}), name
            assert "api_key" not in component.get("properties", {}), name


def test_no_api_response_ever_carries_the_key_or_the_secret(bingx, api, caplog):
    caplog.set_level(logging.DEBUG)
    refused = bingx.trader(uid="2001", permissions={"enableWithdrawals": True})
    good = bingx.trader(uid="2002", deposits=[(250, "USDT", 1, ago(hours=1))])
    responses = [
        connect(api, refused),
        api.post(CREDENTIALS, {"api_key": good.api_key, "api_secret": good.secret + "!"}, format="json"),
        connect(api, good),
        api.get(CREDENTIALS),
        api.get(STATUS),
        api.post(RECHECK),
    ]
    for response in responses:
        assert_never_returned(response, refused.api_key, refused.secret, good.api_key, good.secret)
    for secret in (refused.secret, good.secret):
        assert secret not in caplog.text  # nor in any log record
