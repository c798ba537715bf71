"""A household's access code: where its project asks for one, a household signing in at /my/
types it besides its agreement number and ID suffix. It is printed on the documents the
household receives, so it is derived, never stored: an HMAC of the household and its code's
version under HOUSEHOLD_CODE_KEY. Staff rotate a code that got out by raising the version
(access_code_rotate), which ends the household's sessions and tokens at once."""

import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from resettlement.history import history_author_set
from resettlement.households.models import Household

REASON_ROTATED = _("Access code changed")

# No 0/O, 1/I/L: a code is read off paper and typed on a phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8


def _code(household_id: int, version: int) -> str:
    digest = hmac.new(
        settings.HOUSEHOLD_CODE_KEY.encode(),
        f"household-access:{household_id}:{version}".encode(),
        hashlib.sha256,
    ).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _position in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[index])
    return "".join(letters)


def access_code(household: Household) -> str:
    """The household's current code, as printed: two groups of four (K7QM-3XPA)."""
    code = _code(household.pk, household.access_code_version)
    return f"{code[:4]}-{code[4:]}"


def printed_access_code(household: Household) -> str:
    """The code a document prints for the household: its code where its project asks for one,
    else none."""
    return access_code(household) if household.project.household_access_codes else ""


def normalise_code(text: str) -> str:
    """What a household typed, as compared: without spaces or dashes, in upper case."""
    return "".join(text.split()).replace("-", "").upper()


def access_code_matches(household_id: int, version: int, typed: str) -> bool:
    return hmac.compare_digest(_code(household_id, version), normalise_code(typed))


def access_code_rotate(*, household: Household, by) -> Household:
    """A new code for the household: the printed one stops working, and so do its sessions at
    /my/ and its API tokens (each holds the code's version it was made under). Recorded in the
    household's history."""
    with transaction.atomic():
        household.refresh_from_db(
            fields=["access_code_version"], from_queryset=Household.objects.select_for_update()
        )
        household.access_code_version += 1
        history_author_set(household, by=by, reason=str(REASON_ROTATED))
        household.save(update_fields=["access_code_version", "updated_at"])
    return household
