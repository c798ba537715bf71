from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdStatusConfig(AppConfig):
    name = "resettlement.household_status"
    label = "household_status"
    verbose_name = _("Household status")
