from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    """The five roles; each is a Django group of the same name, created by a data migration."""

    ADMIN = "管理员", _("Administrator")
    PROJECT_TEAM = "项目组", _("Project team")
    PROJECT_SUPERVISOR = "项目主管", _("Project supervisor")
    SELECTION_CLERK = "选房工作人员", _("Selection clerk")
    SELECTION_SUPERVISOR = "选房主管", _("Selection supervisor")
    LEADER = "领导", _("Leadership")


class User(AbstractUser):
    display_name = models.CharField(_("full name"), max_length=50, blank=True)
    projects = models.ManyToManyField(
        "projects.Project",
        verbose_name=_("assigned projects"),
        related_name="assigned_users",
        blank=True,
        help_text=_(
            "Project-team and selection staff see only these projects; "
            "administrators and leaders see all."
        ),
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[projects])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username
