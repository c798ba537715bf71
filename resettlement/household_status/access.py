"""How a household signs in, at /my/ or for an API token: its project, its agreement number,
the last 6 characters of its head's ID number and, where the project asks for one, its access
code. A wrong agreement number, a wrong ID suffix and a wrong code get the same answer after
the same work, so neither tells which agreement numbers exist; failures count against the
agreement number and the address under the staff's sign-in throttle (accounts.signin).

A signed-in household is held in the session under SESSION_KEY for HOUSEHOLD_SESSION_MINUTES
from signing in, and only while its access code is the one it signed in under."""

import datetime
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resettlement.accounts.signin import sign_in_failure, sign_in_refusal, sign_in_success
from resettlement.accounts.tokens import key_digest, new_key
from resettlement.household_status.models import HouseholdToken
from resettlement.households.access_codes import access_code_matches
from resettlement.households.models import Household
from resettlement.projects.models import Project

SESSION_KEY = "household"
SUFFIX_LENGTH = 6
ERROR_CREDENTIALS = _(
    "The agreement number, the last 6 characters of the ID number or the access code is wrong."
)


@dataclass
class SignInResult:
    household: Household | None = None
    refusal: str = ""  # the throttle's message: HTTP 429
    error: str = ""  # wrong credentials


def throttle_name(project: Project, agreement_no: str) -> str:
    """The name a household's attempts are counted under: its project and agreement number
    (never any part of an ID number)."""
    return f"household:{project.code}:{agreement_no.strip().upper()}"


def household_authenticate(
    request: HttpRequest, *, project: Project, agreement_no: str, id_suffix: str, code: str = ""
) -> SignInResult:
    name = throttle_name(project, agreement_no)
    refusal = sign_in_refusal(request, name)
    if refusal:
        return SignInResult(refusal=refusal)
    typed = agreement_no.strip()
    household = (
        Household.objects.filter(project=project, agreement_no__in={typed, typed.upper()})
        .only("pk", "head_id_number", "access_code_version", "project_id")
        .first()
    )
    # The same comparisons whether the agreement number exists or not.
    stored = household.head_id_number[-SUFFIX_LENGTH:] if household else "#" * SUFFIX_LENGTH
    suffix_ok = hmac.compare_digest(stored.upper(), id_suffix.strip().upper())
    code_ok = not project.household_access_codes or access_code_matches(
        household.pk if household else 0,
        household.access_code_version if household else 0,
        code,
    )
    if household is None or not (suffix_ok and code_ok):
        sign_in_failure(request, name)
        return SignInResult(error=str(ERROR_CREDENTIALS))
    sign_in_success(request, name)
    return SignInResult(household=household)


def household_session_start(request: HttpRequest, household: Household) -> None:
    request.session.cycle_key()  # a new session id: one planted before signing in is useless
    request.session[SESSION_KEY] = {
        "id": household.pk,
        "version": household.access_code_version,
        "until": int(time.time()) + settings.HOUSEHOLD_SESSION_MINUTES * 60,
    }


def household_session_end(request: HttpRequest) -> None:
    if request.session.pop(SESSION_KEY, None) is not None:
        request.session.cycle_key()


def session_household(request: HttpRequest) -> Household | None:
    """The household signed in on this session (its project and village loaded), or None when
    none is, its time is up or its access code was changed since."""
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return None
    if held.get("until", 0) <= time.time():
        household_session_end(request)
        return None
    household = (
        Household.objects.select_related("project", "village")
        .defer("village__boundary", "project__description")
        .filter(pk=held.get("id"), access_code_version=held.get("version"))
        .first()
    )
    if household is None:
        household_session_end(request)
    return household


def household_token_create(household: Household) -> tuple[HouseholdToken, str]:
    """An API token for the household, lasting HOUSEHOLD_SESSION_MINUTES; with its key (shown
    once: only its SHA-256 is stored)."""
    key, digest = new_key()
    token = HouseholdToken.objects.create(
        household=household,
        key_hash=digest,
        code_version=household.access_code_version,
        expires_at=timezone.now() + datetime.timedelta(minutes=settings.HOUSEHOLD_SESSION_MINUTES),
    )
    return token, key


def household_token_check(key: str) -> HouseholdToken | None:
    """The live token with this key, its household (with project and village) loaded; None
    when there is none, it expired or was revoked, or the household's code changed since."""
    token = (
        HouseholdToken.objects.active()
        .select_related("household__project", "household__village")
        .defer("household__village__boundary", "household__project__description")
        .filter(key_hash=key_digest(key))
        .first()
    )
    if token is None or token.code_version != token.household.access_code_version:
        return None
    return token
