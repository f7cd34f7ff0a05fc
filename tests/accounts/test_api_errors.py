"""Every API 4xx has one shape: {"detail": "...", "errors": {field: [...]}}."""


def test_anonymous_call_is_401_with_the_error_shape(client, db):
    response = client.get("/api/me/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"detail", "errors"}


def test_bad_field_is_400_with_field_messages_and_nothing_saved(client, user):
    client.force_login(user)
    response = client.patch("/api/me/", {"allowed_ips": "not-an-ip"}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "allowed_ips" in body["errors"] and "not-an-ip" in body["errors"]["allowed_ips"][0]
    user.refresh_from_db()
    assert user.allowed_ips == ""


def test_malformed_json_is_a_400_not_a_500(client, user):
    client.force_login(user)
    response = client.patch("/api/me/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_unknown_api_path_is_a_json_404(client, db):
    response = client.get("/api/does-not-exist/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


def test_wrong_method_is_405_with_the_shape(client, user):
    client.force_login(user)
    response = client.delete("/api/me/")
    assert response.status_code == 405
    assert "not allowed" in response.json()["detail"]


def test_api_throttle_answers_429_with_retry_advice(client, user, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"api": "3/15m", "auth": "5/15m", "trading": "10/m"})
    client.force_login(user)
    statuses = [client.get("/api/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = client.get("/api/me/")
    assert "throttled" in throttled.json()["detail"].lower()
    assert 800 < int(throttled["Retry-After"]) <= 900  # the 15-minute window, not one minute


def test_default_rates_are_the_seeds(settings):
    from core.throttles import parse_rate

    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert parse_rate(rates["api"]) == (100, 900)
    assert parse_rate(rates["auth"]) == (5, 900)
    assert parse_rate(rates["trading"]) == (10, 60)


def test_schema_and_docs_are_served(client, user):
    client.force_login(user)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/tokens/" in schema.content
    assert client.get("/api/docs/").status_code == 200
