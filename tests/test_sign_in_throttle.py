"""Sign-in throttling: five failures within 15 minutes for one name, or from one address, and
sign-ins are refused with HTTP 429 for 15 minutes, the right password too; a name without an
account is answered as one with; administrators see lockouts and lift them; every attempt is
logged without its password. Run on the test cache and on Redis (shared by app servers)."""

import datetime
import logging

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from resettlement.accounts.models import SignInEvent, SignInOutcome

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
WRONG = "not-the-password-7f3a"


def attempt(username: str, password: str, address: str = "198.51.100.7"):
    """A sign-in as a browser (another app server, for all the cache cares) posts it."""
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302 and not response["Location"].startswith(LOGIN)


def test_five_failures_for_one_name_lock_it_out_from_every_address(world, personas, shared_cache):
    for number in range(5):
        refused = attempt("clerk", WRONG, f"198.51.100.{number + 1}")
        assert refused.status_code == 200 and "用户名或密码错误" in refused.content.decode()
    locked = attempt("clerk", "pw", "203.0.113.9")  # the right password, from a new address
    assert locked.status_code == 429 and not signed_in(locked)
    page = locked.content.decode()
    assert "登录失败次数过多" in page and 'role="alert"' in page
    assert signed_in(attempt("supervisor", "pw", "203.0.113.9"))  # others are not held up
    assert SignInEvent.objects.filter(outcome=SignInOutcome.LOCKED, username="clerk").count() == 1
    for _ in range(20):  # a script hammering the locked name: logged once a minute, not each time
        assert attempt("clerk", "pw", "203.0.113.9").status_code == 429
    assert SignInEvent.objects.filter(outcome=SignInOutcome.REFUSED).count() == 1


def test_five_failures_from_one_address_lock_it_out_for_every_name(world, personas, shared_cache):
    for name in ("clerk", "supervisor", "leader", "nobody", "team"):
        attempt(name, WRONG, "198.51.100.20")
    assert attempt("lead", "pw", "198.51.100.20").status_code == 429
    assert signed_in(attempt("lead", "pw", "198.51.100.21"))


def test_a_name_without_an_account_is_answered_as_one_with(world, personas, shared_cache):
    def answers(name: str, address: str) -> list[tuple[int, str]]:
        seen = []
        for _ in range(6):
            response = attempt(name, WRONG, address)
            text = response.content.decode()
            # The page but its CSRF token (a new one per browser).
            seen.append((response.status_code, text[text.index("<main") :].split("csrf")[0]))
        return seen

    assert answers("clerk", "198.51.100.30") == answers("no-such-person", "198.51.100.31")


def test_a_lockout_runs_out_after_fifteen_minutes(world, personas):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for number in range(5):
            attempt("clerk", WRONG, f"198.51.100.{40 + number}")
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert attempt("clerk", "pw", "203.0.113.40").status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        assert signed_in(attempt("clerk", "pw", "203.0.113.40"))


def test_failures_spread_beyond_the_window_or_cut_by_a_sign_in_do_not_lock(world, personas):
    start = timezone.now()
    for minutes in (0, 5, 10, 16, 20):  # never five within 15 minutes
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            attempt("clerk", WRONG, f"198.51.100.{50 + minutes}")
    with time_machine.travel(start + datetime.timedelta(minutes=21), tick=False):
        assert signed_in(attempt("clerk", "pw", "203.0.113.50"))
        for number in range(4):  # the count started again at the sign-in
            attempt("clerk", WRONG, f"198.51.100.{80 + number}")
        assert signed_in(attempt("clerk", "pw", "203.0.113.51"))


def test_an_administrator_sees_the_lockout_and_lifts_it(world, personas, login, shared_cache):
    for number in range(5):
        attempt("clerk", WRONG, f"198.51.100.{60 + number}")
    admin = login("admin")
    listing = admin.get(reverse("admin:accounts_signinevent_changelist"), {"locked": "now"})
    assert listing.status_code == 200
    lockout = SignInEvent.objects.get(outcome=SignInOutcome.LOCKED)
    assert f"/{lockout.pk}/" in listing.content.decode()
    response = admin.post(
        reverse("admin:accounts_signinevent_changelist"),
        {"action": "lift", "_selected_action": [lockout.pk]},
        follow=True,
    )
    assert "1 次锁定已解除" in response.content.decode()
    lifted = SignInEvent.objects.get(outcome=SignInOutcome.LIFTED)
    assert lifted.user == personas["admin"] and lifted.username == "clerk"
    assert signed_in(attempt("clerk", "pw", "203.0.113.60"))
    listing = admin.get(reverse("admin:accounts_signinevent_changelist"), {"locked": "now"})
    assert f"/{lockout.pk}/" not in listing.content.decode()


def test_the_log_holds_every_attempt_and_never_a_password(world, personas, caplog):
    caplog.set_level(logging.INFO)
    attempt("clerk", WRONG, "198.51.100.70")
    attempt("clerk", "pw", "198.51.100.70")
    outcomes = list(
        SignInEvent.objects.order_by("pk").values_list("username", "outcome", "address")
    )
    assert outcomes == [
        ("clerk", SignInOutcome.FAILED, "198.51.100.70"),
        ("clerk", SignInOutcome.SUCCEEDED, "198.51.100.70"),
    ]
    stored = " ".join(str(value) for row in SignInEvent.objects.values_list() for value in row)
    assert WRONG not in stored and WRONG not in caplog.text
    assert "sign-in failed" in caplog.text and "signed in" in caplog.text


def test_the_admin_signs_in_behind_the_same_throttle(world, personas):
    response = Client().get("/admin/login/", {"next": "/admin/"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "next=/admin/" in response["Location"]
