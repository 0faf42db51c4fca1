"""A request body larger than the largest allowed upload is refused with 413 unread."""

import io

import pytest


class _Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args, **kwargs):
        raise AssertionError("the oversized body was read")

    readline = read


@pytest.mark.django_db
def test_oversized_body_gets_413_before_it_is_read(client, settings):
    response = client.generic(
        "POST",
        "/accounts/login/",
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BODY_BYTES + 1),
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert "提交的内容太大" in response.content.decode()
    assert "51 MB" in response.content.decode()


@pytest.mark.django_db
def test_body_at_the_limit_reaches_the_view(client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 2048
    body = b"username=alice&password=x"
    response = client.generic(
        "POST",
        "/accounts/login/",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200  # the login form, with its error
    settings.MAX_REQUEST_BODY_BYTES = len(body) - 1
    response = client.generic(
        "POST", "/accounts/login/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
