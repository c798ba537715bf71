import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from resettlement.lifecycle import Lifecycle, transition
from resettlement.storage import private_storage


class BatchStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("handover batch status", "Open")
    CLOSED = "closed", pgettext_lazy("handover batch status", "Closed")


ERROR_BATCH_CLOSED = _("The handover batch is closed.")

BATCH_LIFECYCLE = Lifecycle(
    BatchStatus,
    edit=transition([BatchStatus.OPEN], None, ERROR_BATCH_CLOSED),
    close=transition([BatchStatus.OPEN], BatchStatus.CLOSED, ERROR_BATCH_CLOSED),
)


class HandoverBatch(models.Model):
    """交房批次: the buildings whose households are handed their flats together, with the
    place, the slots of the days and the households' appointments."""

    project = models.ForeignKey(
        "projects.Project",
        models.PROTECT,
        related_name="handover_batches",
        verbose_name=_("project"),
    )
    name = models.CharField(_("name"), max_length=100)
    buildings = models.ManyToManyField(
        "housing.Building", related_name="handover_batches", verbose_name=_("buildings")
    )
    place = models.CharField(_("place of handover"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=BatchStatus.choices,
        default=BatchStatus.OPEN,
        editable=False,
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True, editable=False
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(m2m_fields=[buildings])

    Status = BatchStatus

    class Meta:
        verbose_name = _("handover batch")
        verbose_name_plural = _("handover batches")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=BatchStatus.values), name="batch_status_known"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("handover:batch", args=[self.pk])

    @property
    def can_edit(self) -> bool:
        return BATCH_LIFECYCLE.allows("edit", self.status)


class HalfDay(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")


# When a half-day's appointments start: a household not come by then is late.
HALF_DAY_STARTS = {HalfDay.MORNING: datetime.time(9, 0), HalfDay.AFTERNOON: datetime.time(14, 0)}


class Slot(models.Model):
    """A desk's half-day in a batch, with room for `capacity` households."""

    batch = models.ForeignKey(
        HandoverBatch, models.CASCADE, related_name="slots", verbose_name=_("handover batch")
    )
    day = models.DateField(_("day"))
    half_day = models.CharField(_("half-day"), max_length=2, choices=HalfDay.choices)
    desk = models.PositiveSmallIntegerField(
        _("desk"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("households"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        ordering = ["batch", "day", "half_day", "desk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "day", "half_day", "desk"], name="slot_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(half_day__in=HalfDay.values), name="slot_half_day_known"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="slot_capacity"),
        ]

    def __str__(self) -> str:
        return _("%(day)s %(half_day)s, desk %(desk)s") % {
            "day": self.day.isoformat(),
            "half_day": self.get_half_day_display(),
            "desk": self.desk,
        }

    @property
    def starts_at(self) -> datetime.time:
        return HALF_DAY_STARTS[HalfDay(self.half_day)]


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Expected")
    ARRIVED = "arrived", _("Came")
    MISSED = "missed", _("Missed (爽约)")
    RESCHEDULED = "rescheduled", _("Rescheduled")


ERROR_NOT_SCHEDULED = _("This appointment is no longer expected (%(status)s).")

# An appointment is expected until the household comes, misses it (爽约: it is offered the next
# free slot) or is given another slot (改约, with a reason). handover.lifecycle has the steps.
APPOINTMENT_LIFECYCLE = Lifecycle(
    AppointmentStatus,
    arrive=transition(
        [AppointmentStatus.SCHEDULED], AppointmentStatus.ARRIVED, ERROR_NOT_SCHEDULED
    ),
    miss=transition([AppointmentStatus.SCHEDULED], AppointmentStatus.MISSED, ERROR_NOT_SCHEDULED),
    reschedule=transition(
        [AppointmentStatus.SCHEDULED], AppointmentStatus.RESCHEDULED, ERROR_NOT_SCHEDULED
    ),
)
STANDING = (AppointmentStatus.SCHEDULED, AppointmentStatus.ARRIVED)


class Appointment(models.Model):
    """A household's appointment in a slot. A new one (after a miss or a rescheduling) points
    at the one it replaces; at most one stands (expected or came) per household and batch."""

    batch = models.ForeignKey(
        HandoverBatch, models.CASCADE, related_name="appointments", verbose_name=_("handover batch")
    )
    household = models.ForeignKey(
        "households.Household",
        models.PROTECT,
        related_name="handover_appointments",
        verbose_name=_("household"),
    )
    slot = models.ForeignKey(
        Slot, models.PROTECT, related_name="appointments", verbose_name=_("slot")
    )
    order_no = models.PositiveIntegerField(_("order"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.SCHEDULED,
        editable=False,
    )
    replaces = models.ForeignKey(
        "self", models.SET_NULL, related_name="+", null=True, blank=True, editable=False
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    arrived_at = models.DateTimeField(_("came at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True, editable=False
    )

    history = HistoricalRecords()

    Status = AppointmentStatus

    class Meta:
        verbose_name = _("handover appointment")
        verbose_name_plural = _("handover appointments")
        ordering = ["slot__day", "slot__half_day", "slot__desk", "order_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "household"],
                condition=models.Q(status__in=STANDING),
                name="appointment_one_standing",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AppointmentStatus.values),
                name="appointment_status_known",
            ),
        ]
        indexes = [models.Index(fields=["slot", "status"], name="appointment_slot_status")]

    def __str__(self) -> str:
        return f"{self.household.agreement_no} · {self.slot}"

    @property
    def can_arrive(self) -> bool:
        return APPOINTMENT_LIFECYCLE.allows("arrive", self.status)

    @property
    def can_miss(self) -> bool:
        return APPOINTMENT_LIFECYCLE.allows("miss", self.status)

    @property
    def can_reschedule(self) -> bool:
        return APPOINTMENT_LIFECYCLE.allows("reschedule", self.status)


class InspectionResult(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    ACCEPTED_WITH_DEFECTS = "accepted_defects", _("Accepted with open defects noted")
    REFUSED = "refused", _("Refused: re-inspection")


class Inspection(models.Model):
    """验房: a household inspects one of its flats; it accepts it (open defects noted) or
    refuses it, and a re-inspection day is set."""

    household = models.ForeignKey(
        "households.Household",
        models.PROTECT,
        related_name="inspections",
        verbose_name=_("household"),
    )
    flat = models.ForeignKey(
        "housing.Flat", models.PROTECT, related_name="inspections", verbose_name=_("flat")
    )
    inspected_on = models.DateField(_("inspected on"))
    result = models.CharField(
        _("result"), max_length=20, choices=InspectionResult.choices, blank=True
    )
    reinspect_on = models.DateField(_("re-inspection on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    Result = InspectionResult

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["flat", "-inspected_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(result__in=[*InspectionResult.values, ""]),
                name="inspection_result_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(result=InspectionResult.REFUSED)
                | models.Q(reinspect_on__isnull=False),
                name="inspection_refusal_reinspects",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.flat} {self.inspected_on}"

    @property
    def accepted(self) -> bool:
        return self.result in (InspectionResult.ACCEPTED, InspectionResult.ACCEPTED_WITH_DEFECTS)


class DefectCategory(models.TextChoices):
    WALLS = "walls", _("Walls (墙面)")
    FLOORS = "floors", _("Floors (地面)")
    DOORS_WINDOWS = "doors_windows", _("Doors and windows (门窗)")
    WATER_POWER = "water_power", _("Water and power (水电)")
    BATHROOM = "bathroom", _("Bathroom (卫浴)")
    OTHER = "other", _("Other (其他)")


class DefectStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("defect status", "Open")
    FIXED = "fixed", pgettext_lazy("defect status", "Fixed")
    ACCEPTED = "accepted", pgettext_lazy("defect status", "Accepted")


ERROR_DEFECT_TRANSITION = _("A defect cannot go from “%(status)s” to “%(target)s”.")

# A defect found at inspection: open → fixed (by the contractor) → accepted (by the household).
DEFECT_LIFECYCLE = Lifecycle(
    DefectStatus,
    fix=transition([DefectStatus.OPEN], DefectStatus.FIXED, ERROR_DEFECT_TRANSITION),
    accept=transition([DefectStatus.FIXED], DefectStatus.ACCEPTED, ERROR_DEFECT_TRANSITION),
    reopen=transition([DefectStatus.FIXED], DefectStatus.OPEN, ERROR_DEFECT_TRANSITION),
)


class Defect(models.Model):
    inspection = models.ForeignKey(
        Inspection, models.CASCADE, related_name="defects", verbose_name=_("inspection")
    )
    flat = models.ForeignKey(
        "housing.Flat", models.PROTECT, related_name="defects", verbose_name=_("flat")
    )
    room = models.CharField(_("room"), max_length=30)
    category = models.CharField(_("category"), max_length=20, choices=DefectCategory.choices)
    description = models.TextField(_("description"), max_length=1000)
    photo = models.ImageField(
        _("photo"), upload_to="defects/%Y/%m/", storage=private_storage, blank=True
    )
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="defects/%Y/%m/thumbs/", storage=private_storage, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DefectStatus.choices,
        default=DefectStatus.OPEN,
        editable=False,
    )
    fixed_at = models.DateTimeField(_("fixed"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    Status = DefectStatus
    Category = DefectCategory

    class Meta:
        verbose_name = _("defect")
        verbose_name_plural = _("defects")
        ordering = ["flat", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DefectStatus.values), name="defect_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=DefectCategory.values),
                name="defect_category_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.flat} {self.room}: {self.get_category_display()}"

    @property
    def can_fix(self) -> bool:
        return DEFECT_LIFECYCLE.allows("fix", self.status)

    @property
    def can_accept(self) -> bool:
        return DEFECT_LIFECYCLE.allows("accept", self.status)

    @property
    def can_reopen(self) -> bool:
        return DEFECT_LIFECYCLE.allows("reopen", self.status)


class HandoverStatus(models.TextChoices):
    DONE = "done", _("Handed over")
    UNDONE = "undone", _("Undone")


ERROR_HANDOVER_UNDONE = _("This handover was already undone.")

HANDOVER_LIFECYCLE = Lifecycle(
    HandoverStatus,
    undo=transition([HandoverStatus.DONE], HandoverStatus.UNDONE, ERROR_HANDOVER_UNDONE),
)


class Handover(models.Model):
    """交接: a household receives the keys of its flats (HandedFlat: meters, keys, booklets).
    Undoing it (a selection supervisor, with a reason) keeps the record."""

    batch = models.ForeignKey(
        HandoverBatch, models.PROTECT, related_name="handovers", verbose_name=_("handover batch")
    )
    household = models.ForeignKey(
        "households.Household",
        models.PROTECT,
        related_name="handovers",
        verbose_name=_("household"),
    )
    appointment = models.ForeignKey(
        Appointment, models.SET_NULL, related_name="+", null=True, blank=True
    )
    handed_on = models.DateField(_("handed over on"))
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="+",
        null=True,
        editable=False,
        verbose_name=_("staff member"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=HandoverStatus.choices,
        default=HandoverStatus.DONE,
        editable=False,
    )
    note = models.TextField(_("note"), blank=True)
    undo_reason = models.TextField(_("reason for undoing"), blank=True, editable=False)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True, editable=False
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    Status = HandoverStatus

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-handed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status=HandoverStatus.DONE),
                name="handover_one_per_household",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=HandoverStatus.values),
                name="handover_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.agreement_no} {self.handed_on}"

    def get_absolute_url(self) -> str:
        return reverse("handover:handover", args=[self.pk])

    @property
    def can_undo(self) -> bool:
        return HANDOVER_LIFECYCLE.allows("undo", self.status)


class HandedFlat(models.Model):
    """One flat of a handover: its meter readings, the keys and cards handed, the two statutory
    booklets; its warranty starts on the handover day."""

    handover = models.ForeignKey(
        Handover, models.CASCADE, related_name="flats", verbose_name=_("handover")
    )
    flat = models.ForeignKey(
        "housing.Flat", models.PROTECT, related_name="handovers", verbose_name=_("flat")
    )
    active = models.BooleanField(_("in force"), default=True, editable=False)
    water_reading = models.DecimalField(
        _("water meter (m³)"), max_digits=10, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    electricity_reading = models.DecimalField(
        _("electricity meter (kWh)"), max_digits=10, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    gas_reading = models.DecimalField(
        _("gas meter (m³)"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    door_keys = models.PositiveSmallIntegerField(
        _("door keys (户门钥匙)"), validators=[MaxValueValidator(20)]
    )
    access_cards = models.PositiveSmallIntegerField(
        _("access cards (门禁卡)"), default=0, validators=[MaxValueValidator(20)]
    )
    mailbox_keys = models.PositiveSmallIntegerField(
        _("mailbox keys (信报箱钥匙)"), default=0, validators=[MaxValueValidator(20)]
    )
    quality_guarantee = models.BooleanField(_("住宅质量保证书 handed"), default=False)
    usage_manual = models.BooleanField(_("住宅使用说明书 handed"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("flat handed over")
        verbose_name_plural = _("flats handed over")
        ordering = ["handover", "flat__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["flat"], condition=models.Q(active=True), name="handed_flat_once"
            ),
            models.CheckConstraint(
                condition=models.Q(quality_guarantee=True, usage_manual=True)
                | models.Q(active=False),
                name="handed_flat_booklets",
            ),
        ]

    def __str__(self) -> str:
        return str(self.flat)

    @property
    def warranty_starts(self) -> datetime.date:
        return self.handover.handed_on


# Bulk printing (handover.printing): a job prints one kind of paper for the households of a
# batch or of one of its buildings, in parts that any worker may take (a part is held under a
# lease its worker renews; a part whose worker went silent is taken over). When the last part
# is done, one assembly step writes the merged PDF and the ZIP.


class PrintKind(models.TextChoices):
    NOTICES = "notices", _("Handover notices (交房通知书)")
    CONFIRMATIONS = "confirmations", _("Selection confirmations (选房确认书)")
    HANDOVER_PAPERS = "handover_papers", _("Handover papers (房屋交接确认书 and 钥匙领取单)")


class PrintStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("print job status", "Queued")
    RUNNING = "running", pgettext_lazy("print job status", "Printing")
    DONE = "done", pgettext_lazy("print job status", "Done")
    FAILED = "failed", pgettext_lazy("print job status", "Done with failures")


class PrintJob(models.Model):
    project = models.ForeignKey(
        "projects.Project", models.PROTECT, related_name="+", verbose_name=_("project")
    )
    batch = models.ForeignKey(
        HandoverBatch, models.CASCADE, related_name="print_jobs", verbose_name=_("handover batch")
    )
    building = models.ForeignKey(
        "housing.Building",
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("building"),
    )
    kind = models.CharField(_("papers"), max_length=20, choices=PrintKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=PrintStatus.choices, default=PrintStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("households"), default=0)
    done = models.PositiveIntegerField(_("printed"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    language = models.CharField(max_length=10, default="zh-hans", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True, editable=False
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    merged = models.ForeignKey(
        "archive.StoredDocument", models.SET_NULL, related_name="+", null=True, blank=True
    )
    zip = models.ForeignKey(
        "archive.StoredDocument", models.SET_NULL, related_name="+", null=True, blank=True
    )
    error = models.TextField(_("error"), blank=True)

    Kind = PrintKind
    Status = PrintStatus

    class Meta:
        verbose_name = _("print job")
        verbose_name_plural = _("print jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PrintStatus.values), name="print_status_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.batch} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("handover:print-job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (PrintStatus.DONE, PrintStatus.FAILED)

    @property
    def can_retry(self) -> bool:
        return self.finished and self.failed > 0

    @property
    def percent(self) -> int:
        return round(100 * (self.done + self.failed) / self.total) if self.total else 100


class PartRole(models.TextChoices):
    DOCUMENTS = "documents", _("Documents")
    # The two last steps, run side by side once every documents part is done.
    ASSEMBLY = "assembly", _("Merged PDF")
    ARCHIVE = "archive", _("ZIP of the households' PDFs")


FINAL_ROLES = (PartRole.ASSEMBLY, PartRole.ARCHIVE)


class PartStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("print part status", "Waiting")
    RUNNING = "running", pgettext_lazy("print part status", "Running")
    DONE = "done", pgettext_lazy("print part status", "Done")


class PrintPart(models.Model):
    """A chunk of a job's households (or one of the job's two last steps: the merged PDF, the
    ZIP), run by one task at a time:
    claimed under a lease (lease_until) that its worker renews as it goes."""

    job = models.ForeignKey(PrintJob, models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    role = models.CharField(max_length=10, choices=PartRole.choices, default=PartRole.DOCUMENTS)
    status = models.CharField(max_length=10, choices=PartStatus.choices, default=PartStatus.PENDING)
    attempt = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # The chunk's documents laid out together (fonts embedded once): the merged PDF's pages.
    pages = models.FileField(upload_to="print/parts/", storage=private_storage, blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="print_part_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.number}"


class ItemStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("print item status", "Waiting")
    DONE = "done", pgettext_lazy("print item status", "Printed")
    FAILED = "failed", pgettext_lazy("print item status", "Failed")


class PrintItem(models.Model):
    """One household of a job: its documents, and where their pages are in its part's PDF
    (first_page counts from 0; a reprint's pages come from its stored PDF instead)."""

    job = models.ForeignKey(PrintJob, models.CASCADE, related_name="items")
    part = models.ForeignKey(PrintPart, models.CASCADE, related_name="items")
    household = models.ForeignKey(
        "households.Household", models.PROTECT, related_name="+", verbose_name=_("household")
    )
    position = models.PositiveIntegerField()
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    documents = models.ManyToManyField("archive.IssuedDocument", related_name="+", blank=True)
    first_page = models.PositiveIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(default=0)
    reprint = models.BooleanField(default=False)
    error = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="print_item_position"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.position}"
