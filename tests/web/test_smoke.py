"""The app boots, answers /healthz and signs demo accounts in."""


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_login_lands_on_home(auth):
    response = auth.login("staff-ll")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/home")
