from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "resettlement.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from resettlement.history import reuse_history_manager_classes

        reuse_history_manager_classes()
        from resettlement.accounts import signin  # noqa: F401 (connects the sign-in log)
