"""Create a token, call the API with it, revoke it: the same token then gets 401."""

from accounts.models import ActivityLog, ApiToken


def test_token_from_the_page_calls_the_api_until_revoked(client, user):
    client.force_login(user)
    page = client.post("/account/tokens/", {"name": "my bot"})
    assert page.status_code == 200
    key = page.context["new_key"]
    assert key and key in page.content.decode()

    # Shown once: the list page afterwards shows only the prefix.
    again = client.get("/account/tokens/").content.decode()
    assert key not in again and key[:8] in again
    # Stored as a hash only.
    token = ApiToken.objects.get(user=user)
    assert token.key_hash != key and key not in str(list(ApiToken.objects.values()))

    client.logout()
    api = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 200 and api.json()["email"] == user.email

    client.force_login(user)
    client.post(f"/account/tokens/{token.pk}/revoke/")
    client.logout()
    refused = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid or revoked token.", "errors": {}}
    assert {"token_created", "token_revoked"} <= set(
        ActivityLog.objects.filter(user=user).values_list("action", flat=True)
    )


def test_token_api_create_list_and_revoke(client, user):
    client.force_login(user)
    created = client.post("/api/tokens/", {"name": "ci"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["key"].startswith(body["prefix"]) and body["active"] is True

    listed = client.get("/api/tokens/").json()
    assert [t["name"] for t in listed] == ["ci"] and "key" not in listed[0]

    assert client.delete(f"/api/tokens/{body['id']}/").status_code == 204
    assert client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {body['key']}").status_code in (200, 401)
    client.logout()
    assert client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {body['key']}").status_code == 401


def test_duplicate_or_blank_token_names_are_field_errors(client, user):
    client.force_login(user)
    client.post("/api/tokens/", {"name": "ci"}, content_type="application/json")
    duplicate = client.post("/api/tokens/", {"name": "ci"}, content_type="application/json")
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"] == {"name": ["You already have an active token with this name."]}
    blank = client.post("/api/tokens/", {"name": "  "}, content_type="application/json")
    assert blank.status_code == 400 and "name" in blank.json()["errors"]
    page = client.post("/account/tokens/", {"name": "ci"})
    assert page.status_code == 400 and "already have an active token" in page.content.decode()


def test_another_users_token_cannot_be_revoked(client, user):
    from tests.factories import UserFactory

    other = UserFactory()
    client.force_login(other)
    body = client.post("/api/tokens/", {"name": "theirs"}, content_type="application/json").json()
    client.force_login(user)
    assert client.delete(f"/api/tokens/{body['id']}/").status_code == 404
    assert client.post(f"/account/tokens/{body['id']}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=body["id"]).is_active
