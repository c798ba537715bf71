"""A household's API token (/api/v1/me/token/): like the staff's, only its SHA-256 is kept; it
lasts HOUSEHOLD_SESSION_MINUTES and opens /api/v1/me/ and nothing else."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from resettlement.accounts.models import ExpiringKey


class HouseholdToken(ExpiringKey):
    household = models.ForeignKey(
        "households.Household",
        models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("household"),
    )
    # The household's access-code version when the token was made: rotating the code ends it.
    code_version = models.PositiveIntegerField(editable=False)

    class Meta(ExpiringKey.Meta):
        verbose_name = _("household token")
        verbose_name_plural = _("household tokens")

    def __str__(self) -> str:
        return f"{self.household_id} {self.state}"
