from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from resettlement.geometry import validate_area_geometry
from resettlement.housing.codes import natural_sort_key
from resettlement.input_values import date_in_range
from resettlement.lifecycle import Lifecycle, transition

POSITIVE_AREA = MinValueValidator(Decimal("0.01"))


class Phase(models.TextChoices):
    """Where a building stands, in eight steps a map can colour: a building's phase is that of
    its first open node (not started: nothing begun yet; delivered: every node complete)."""

    NOT_STARTED = "not_started", _("Works not started")
    FOUNDATION = "foundation", _("Foundation")
    STRUCTURE = "structure", _("Main structure")
    TOPPED_OUT = "topped_out", _("Topped out")
    ENVELOPE = "envelope", _("Facade and openings")
    FITOUT = "fitout", _("Installation and fit-out")
    ACCEPTANCE = "acceptance", _("Acceptance and handover")
    DELIVERED = "delivered", _("Delivered")


class BuildingQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(project=project)

    def with_phase(self):
        """`phase`: that of the first open node; not started before any progress; delivered
        once every node is complete."""
        return self.annotate(
            phase=models.Case(
                models.When(current_milestone__isnull=True, then=models.Value(Phase.DELIVERED)),
                models.When(progress=0, then=models.Value(Phase.NOT_STARTED)),
                default=models.F("current_milestone__phase"),
                output_field=models.CharField(),
            )
        )

    def with_delay(self, today):
        """`overdue_since`: the earliest planned finish among nodes still open after it."""
        late = models.Q(milestones__percent__lt=100, milestones__planned_finish__lt=today)
        return self.annotate(overdue_since=models.Min("milestones__planned_finish", filter=late))

    def delayed(self, today):
        return self.with_delay(today).filter(overdue_since__isnull=False)

    def touch(self) -> int:
        """Mark buildings changed (updated_at) without a history entry: flats were added or
        removed, or milestones changed. Map ETags and caches key on it."""
        return self.update(updated_at=timezone.now())

    def with_flat_counts(self):
        """`flat_total`, `flats_selected` (chosen, handed over or not), `flats_handed_over`
        (已交付) and `flats_to_hand_over` (chosen, keys not yet handed)."""
        return self.annotate(
            flat_total=models.Count("flats"),
            flats_selected=models.Count(
                "flats",
                filter=models.Q(flats__status__in=[FlatStatus.SELECTED, FlatStatus.HANDED_OVER]),
            ),
            flats_handed_over=models.Count(
                "flats", filter=models.Q(flats__status=FlatStatus.HANDED_OVER)
            ),
            flats_to_hand_over=models.Count(
                "flats", filter=models.Q(flats__status=FlatStatus.SELECTED)
            ),
        )


class Building(models.Model):
    project = models.ForeignKey(
        "projects.Project", models.PROTECT, related_name="buildings", verbose_name=_("project")
    )
    village = models.ForeignKey(
        "projects.Village",
        models.PROTECT,
        related_name="buildings",
        verbose_name=_("village"),
        null=True,
        blank=True,
    )
    code = models.CharField(_("building code"), max_length=20)
    sort_key = models.CharField(max_length=60, editable=False, db_index=True)
    floors = models.PositiveSmallIntegerField(
        _("floors"), validators=[MinValueValidator(1), MaxValueValidator(150)]
    )
    stairwells = models.PositiveSmallIntegerField(
        _("stairwells"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    contractor = models.CharField(_("contractor"), max_length=100, blank=True)
    planned_delivery_date = models.DateField(
        _("planned delivery date"), null=True, blank=True, validators=[date_in_range]
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("73")), MaxValueValidator(Decimal("136"))],
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("3")), MaxValueValidator(Decimal("54"))],
    )
    footprint = models.JSONField(
        _("footprint"),
        null=True,
        blank=True,
        validators=[validate_area_geometry],
        help_text=_("GeoJSON Polygon or MultiPolygon in WGS84 (longitude, latitude)."),
    )
    # Derived from the building's milestones by progress.services; never edited directly.
    current_milestone = models.ForeignKey(
        "progress.MilestoneType",
        models.SET_NULL,
        related_name="+",
        verbose_name=_("current stage"),
        null=True,
        blank=True,
        editable=False,
    )
    progress = models.DecimalField(
        _("progress (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), editable=False
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BuildingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resettlement building")
        verbose_name_plural = _("resettlement buildings")
        ordering = ["project", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="building_code_unique")
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.sort_key = natural_sort_key(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("housing:building-detail", kwargs={"pk": self.pk})


class FlatStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved")
    SELECTED = "selected", _("Selected")
    HANDED_OVER = "handed_over", _("Handed over")


ERROR_FLAT_TRANSITION = _("Flat %(code)s cannot go from “%(status)s” to “%(target)s”.")
ERROR_FLAT_TAKEN = _("Flat %(code)s is no longer available.")

# A flat's lifecycle (housing.lifecycle has the functions): locked at a desk while a household
# decides, selected (from its lock at a desk; directly by a swap or a lottery that assigns
# flats), back to available when a lock ends or a selection is voided, handed over.
FLAT_LIFECYCLE = Lifecycle(
    FlatStatus,
    reserve=transition([FlatStatus.AVAILABLE], FlatStatus.RESERVED, ERROR_FLAT_TAKEN),
    release=transition([FlatStatus.RESERVED], FlatStatus.AVAILABLE, ERROR_FLAT_TRANSITION),
    select_held=transition([FlatStatus.RESERVED], FlatStatus.SELECTED, ERROR_FLAT_TAKEN),
    select=transition([FlatStatus.AVAILABLE], FlatStatus.SELECTED, ERROR_FLAT_TAKEN),
    unselect=transition([FlatStatus.SELECTED], FlatStatus.AVAILABLE, ERROR_FLAT_TRANSITION),
    hand_over=transition([FlatStatus.SELECTED], FlatStatus.HANDED_OVER, ERROR_FLAT_TRANSITION),
    undo_hand_over=transition([FlatStatus.HANDED_OVER], FlatStatus.SELECTED, ERROR_FLAT_TRANSITION),
)

# One-character marks so a status reads without colour (销控表 cells, the live board).
STATUS_MARKS: dict[str, Promise] = {
    FlatStatus.AVAILABLE: pgettext_lazy("flat status mark", "A"),
    FlatStatus.RESERVED: pgettext_lazy("flat status mark", "R"),
    FlatStatus.SELECTED: pgettext_lazy("flat status mark", "S"),
    FlatStatus.HANDED_OVER: pgettext_lazy("flat status mark", "H"),
}


class FlatQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(building__project=project)

    def available(self, at=None):
        """Flats free to be chosen at `at` (now): available, or locked by a lock that has
        expired (the periodic sweep gives those back; until then they read as available)."""
        at = at or timezone.now()
        return self.filter(
            models.Q(status=FlatStatus.AVAILABLE)
            | models.Q(status=FlatStatus.RESERVED, hold__expires_at__lte=at)
        )

    def count_per_project(self, status: str | None = None):
        """A subquery expression for a project queryset: how many of these flats (in `status`,
        when given) the outer project has (0 when none)."""
        flats = self.filter(building__project=models.OuterRef("pk"))
        if status is not None:
            flats = flats.filter(status=status)
        rows = (
            flats.order_by().values("building__project").annotate(n=models.Count("pk")).values("n")
        )
        return Coalesce(models.Subquery(rows), 0)


class Flat(models.Model):
    """A flat of a building. Writers (housing.services, the admin) mark the building changed
    (BuildingQuerySet.touch) when flats are added or removed; a change of status is dated
    (status_changed_at). Map ETags rely on both."""

    building = models.ForeignKey(
        Building, models.PROTECT, related_name="flats", verbose_name=_("building")
    )
    stairwell = models.PositiveSmallIntegerField(_("stairwell"), validators=[MinValueValidator(1)])
    floor = models.PositiveSmallIntegerField(_("floor"), validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField(
        _("position on floor"), validators=[MinValueValidator(1)]
    )
    room = models.CharField(_("room number"), max_length=10)
    code = models.CharField(_("flat code"), max_length=40)
    layout = models.CharField(_("layout (户型)"), max_length=30)
    gross_area = models.DecimalField(
        _("gross floor area (m²)"), max_digits=8, decimal_places=2, validators=[POSITIVE_AREA]
    )
    surveyed_area = models.DecimalField(
        _("surveyed area (m²)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[POSITIVE_AREA],
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=FlatStatus.choices,
        default=FlatStatus.AVAILABLE,
        editable=False,
    )
    status_changed_at = models.DateTimeField(
        _("status changed"), default=timezone.now, editable=False, db_index=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = FlatQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("flat")
        verbose_name_plural = _("flats")
        ordering = ["building", "stairwell", "floor", "position"]
        constraints = [
            models.UniqueConstraint(fields=["building", "code"], name="flat_code_unique"),
            models.UniqueConstraint(
                fields=["building", "stairwell", "floor", "position"],
                name="flat_position_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(gross_area__gt=0), name="flat_gross_area_positive"
            ),
        ]
        indexes = [models.Index(fields=["building", "status"], name="flat_building_status")]

    def __str__(self) -> str:
        return self.code

    @property
    def status_mark(self) -> str:
        return str(STATUS_MARKS[self.status])

    @property
    def can_select(self) -> bool:
        return FLAT_LIFECYCLE.allows("select", self.status)
