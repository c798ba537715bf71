from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "resettlement.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from django.core import checks

        from resettlement.documents import check_pdf_fonts

        checks.register(check_pdf_fonts)
