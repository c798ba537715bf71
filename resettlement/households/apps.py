from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "resettlement.households"
    label = "households"
    verbose_name = _("Households")

    def ready(self) -> None:
        from django.core import checks

        from resettlement.id_encryption import check_id_number_keys

        checks.register(check_id_number_keys, checks.Tags.security, deploy=True)
