from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from resettlement.housing.models import Phase


class MilestoneRole(models.TextChoices):
    """Nodes that rules refer to, whatever a project calls them."""

    TOPPING_OUT = "topping_out", _("Topping out")
    COMPLETION_ACCEPTANCE = "completion_acceptance", _("Completion acceptance")
    DELIVERY = "delivery", _("Delivery")


class MilestoneType(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    default_sequence = models.PositiveSmallIntegerField(_("default position"))
    default_weight = models.DecimalField(
        _("default weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    role = models.CharField(
        _("rule role"), max_length=30, choices=MilestoneRole.choices, blank=True
    )
    phase = models.CharField(
        _("phase while open"),
        max_length=20,
        choices=Phase.choices,
        default=Phase.FITOUT,
        help_text=_("The phase a building is in while this is its first open node."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone type")
        verbose_name_plural = _("milestone types")
        ordering = ["default_sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["role"], condition=~models.Q(role=""), name="milestone_role_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProjectMilestone(models.Model):
    """One node of a project's milestone template: its place in the sequence and its weight."""

    project = models.ForeignKey(
        "projects.Project",
        models.CASCADE,
        related_name="milestone_template",
        verbose_name=_("project"),
    )
    milestone_type = models.ForeignKey(
        MilestoneType, models.PROTECT, related_name="+", verbose_name=_("milestone")
    )
    sequence = models.PositiveSmallIntegerField(_("position"))
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone template node")
        verbose_name_plural = _("milestone template")
        ordering = ["project", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "milestone_type"], name="template_milestone_unique"
            ),
            models.UniqueConstraint(
                fields=["project", "sequence"], name="template_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.milestone_type}"


class BuildingMilestoneQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(building__project=project)

    def complete(self):
        return self.filter(percent=100)


class BuildingMilestone(models.Model):
    building = models.ForeignKey(
        "housing.Building", models.CASCADE, related_name="milestones", verbose_name=_("building")
    )
    milestone_type = models.ForeignKey(
        MilestoneType, models.PROTECT, related_name="building_milestones", verbose_name=_("node")
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateField(_("actual finish"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MaxValueValidator(100)]
    )
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        editable=False,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BuildingMilestoneQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("building milestone")
        verbose_name_plural = _("building milestones")
        ordering = ["building", "milestone_type__default_sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "milestone_type"], name="building_milestone_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="building_milestone_percent_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.milestone_type}"


class MilestoneException(models.Model):
    """A supervisor's permission to complete a node before the nodes ahead of it."""

    milestone = models.ForeignKey(
        BuildingMilestone, models.CASCADE, related_name="exceptions", verbose_name=_("node")
    )
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone exception")
        verbose_name_plural = _("milestone exceptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.reason[:40]}"


class MilestonePhoto(models.Model):
    milestone = models.ForeignKey(
        BuildingMilestone, models.CASCADE, related_name="photos", verbose_name=_("milestone")
    )
    image = models.ImageField(_("photo"), upload_to="milestones/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="milestones/%Y/%m/thumbs/")
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone photo")
        verbose_name_plural = _("milestone photos")
        ordering = ["milestone", "uploaded_at"]

    def __str__(self) -> str:
        return self.caption or self.image.name
