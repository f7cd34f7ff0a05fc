def test_home_page_invites_visitors_to_sign_up(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"/accounts/signup/" in response.content


def test_dashboard_requires_login(client, db):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
