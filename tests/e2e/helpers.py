"""What every browser journey does the same way."""

from tests.conftest import PASSWORD


def sign_in(page, base: str, username: str) -> None:
    """Sign in through the login form as ``username`` (any earlier session is dropped)."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector(".role-badge")
