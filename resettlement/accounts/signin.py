"""Sign-in throttling: after SIGN_IN_FAILURES failed sign-ins within SIGN_IN_WINDOW for one
name typed, or from one address, further attempts are refused (HTTP 429) for SIGN_IN_LOCK,
whatever they hold, the right password too. A name that has no account is throttled as one
that has, so neither the answer nor its timing tells which names exist.

The counters and locks live in the cache: with Redis (REDIS_URL) they hold across every app
server. Each attempt and each lockout is written to the sign-in log (SignInEvent), where the
administrators see lockouts and may lift them; the log and the application's log carry the
name typed and the address, never a password."""

import datetime
import hashlib
import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resettlement.accounts.models import SignInEvent, SignInOutcome, User
from resettlement.client_address import client_address

logger = logging.getLogger(__name__)

ERROR_LOCKED = _(
    "Too many failed sign-ins. Try again after %(time)s, or ask an administrator to lift the "
    "lockout."
)
USERNAME_LENGTH = 150
REFUSED_LOGGED_EVERY = 60  # seconds


def _name_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"signin:name:{digest}"


def _address_key(address: str) -> str:
    return f"signin:address:{address}"


def _subjects(username: str, address: str) -> list[str]:
    return [_name_key(username), *([_address_key(address)] if address else [])]


def sign_in_refusal(request: HttpRequest, username: str) -> str:
    """Why a sign-in with this name, from this request's address, is refused now ("" when it
    is not): either is locked out. A refused attempt is logged."""
    address = client_address(request)
    locks = cache.get_many([f"{subject}:lock" for subject in _subjects(username, address)])
    if not locks:
        return ""
    until = max(locks.values())
    # Logged once a minute per name and address: a script hammering a locked name must not
    # grow the log (nor cost a write) with every attempt.
    digest = _name_key(username).rsplit(":", 1)[1]
    if cache.add(f"signin:refused:{digest}:{address}", True, REFUSED_LOGGED_EVERY):
        SignInEvent.objects.create(
            username=username[:USERNAME_LENGTH], address=address, outcome=SignInOutcome.REFUSED
        )
        logger.warning("sign-in refused while locked out: %r from %s", username, address)
    time = timezone.localtime(until).strftime("%H:%M")
    return str(ERROR_LOCKED % {"time": time})


def _count_failure(subject: str) -> int:
    key = f"{subject}:failures"
    if cache.add(key, 1, settings.SIGN_IN_WINDOW):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # it lapsed meanwhile: this failure starts a new window
        cache.set(key, 1, settings.SIGN_IN_WINDOW)
        return 1


def sign_in_failure(request: HttpRequest, username: str) -> None:
    """Count a failed sign-in with this name from this request's address, log it, and lock the
    name or the address out when either reaches SIGN_IN_FAILURES within SIGN_IN_WINDOW."""
    username = username[:USERNAME_LENGTH]
    address = client_address(request)
    SignInEvent.objects.create(username=username, address=address, outcome=SignInOutcome.FAILED)
    logger.warning("sign-in failed: %r from %s", username, address)
    until = timezone.now() + datetime.timedelta(seconds=settings.SIGN_IN_LOCK)
    for subject in _subjects(username, address):
        if _count_failure(subject) >= settings.SIGN_IN_FAILURES and cache.add(
            f"{subject}:lock", until, settings.SIGN_IN_LOCK
        ):
            SignInEvent.objects.create(
                username=username if subject.startswith("signin:name") else "",
                address=address,
                outcome=SignInOutcome.LOCKED,
                locked_until=until,
            )
            logger.warning("sign-in locked until %s: %s", until.isoformat(), subject)


def sign_in_success(request: HttpRequest, username: str, user: User | None = None) -> None:
    """Log a sign-in and reset its name's count of failures."""
    address = client_address(request)
    SignInEvent.objects.create(
        username=username[:USERNAME_LENGTH],
        address=address,
        outcome=SignInOutcome.SUCCEEDED,
        user=user,
    )
    cache.delete(f"{_name_key(username)}:failures")
    logger.info("signed in: %r from %s", username, address)


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is None:  # authenticate() called outside a request (a command): not a sign-in
        return
    sign_in_failure(request, str(credentials.get("username") or ""))


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    sign_in_success(request, user.get_username(), user)


def lockout_lift(*, event: SignInEvent, by: User) -> bool:
    """Lift the lockout this log entry records (its name's, or its address's); False when it
    had already run out or been lifted."""
    if event.outcome != SignInOutcome.LOCKED:
        return False
    subject = _event_subject(event)
    was_locked = cache.get(f"{subject}:lock") is not None
    cache.delete_many([f"{subject}:lock", f"{subject}:failures"])
    if was_locked:
        SignInEvent.objects.create(
            username=event.username, address=event.address, outcome=SignInOutcome.LIFTED, user=by
        )
        logger.warning("sign-in lockout lifted by %s: %s", by.get_username(), subject)
    return was_locked


def _event_subject(event: SignInEvent) -> str:
    """A LOCKED entry names a name (its username) or, with no name, an address."""
    return _name_key(event.username) if event.username else _address_key(event.address)


def locked_now(event: SignInEvent) -> bool:
    """Whether the lockout this log entry records still holds."""
    if event.outcome != SignInOutcome.LOCKED:
        return False
    return cache.get(f"{_event_subject(event)}:lock") is not None
