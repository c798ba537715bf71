"""Assertions about refused requests, shared by the input-hardening tests."""


def assert_client_error(response, status: int, fragment: str) -> None:
    """The request was refused with `status` (a 4xx) and a message containing `fragment`."""
    body = response.content.decode(errors="replace")
    assert response.status_code == status, (response.status_code, body[:500])
    assert fragment in body, body[:500]
