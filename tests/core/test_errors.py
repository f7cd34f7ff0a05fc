"""An ApplicationError reaches the user the same way from every page and endpoint: its status, its words,
the field it is about, and when to try again; never a 500."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]


@pytest.mark.parametrize(
    ("kind", "status", "text"),
    [
        ("refused", 400, "That name is taken."),
        ("conflict", 409, "Already connected."),
        ("unavailable", 503, "BingX could not be reached; nothing changed."),
    ],
)
def test_a_page_answers_the_errors_status_and_message(client, kind, status, text):
    response = client.get(f"/page/{kind}/")

    assert response.status_code == status
    assert text in response.content.decode()
    assert response.has_header("Retry-After") == (status == 503)


def test_the_api_names_the_field_a_refusal_is_about(client):
    response = client.get("/api/refused/")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: That name is taken.",
        "errors": {"name": ["That name is taken."]},
    }


def test_the_api_says_when_to_try_again_after_an_outage(client):
    response = client.get("/api/unavailable/")

    assert response.status_code == 503
    assert response.json() == {"detail": "BingX could not be reached; nothing changed.", "errors": {}}
    assert int(response["Retry-After"]) > 0


def test_a_conflict_is_409_with_the_one_error_shape(client):
    response = client.get("/api/conflict/")

    assert response.status_code == 409
    assert response.json()["errors"] == {"non_field_errors": ["Already connected."]}
