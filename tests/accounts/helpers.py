"""Signing in through the real login form (django-axes needs the request)."""

from tests.conftest import PASSWORD


def sign_in(client, username: str, password: str = PASSWORD) -> bool:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302
