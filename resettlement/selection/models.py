import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from resettlement.accounts.models import ExpiringKey
from resettlement.lifecycle import Lifecycle, transition
from resettlement.storage import private_storage


class QueueSource(models.TextChoices):
    LOTTERY = "lottery", _("A published lottery (摇号定序)")
    SIGNING = "signing", _("Signing order (先签先选)")


class AbsentRule(models.TextChoices):
    MOVE_TO_END = "move_to_end", _("Moved to the end of the day's queue")
    LOSE_TURN = "lose_turn", _("Loses its turn")


class EventStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("event status", "Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


ERROR_OPEN_AGAIN = _("The selection event is already open.")
ERROR_REOPEN = _("The selection event is closed; it cannot be opened again.")
ERROR_NOT_OPENED = _("The selection event has not opened yet.")
ERROR_CLOSED_ALREADY = _("The selection event is already closed.")
ERROR_RULES_FIXED = _("The event has opened: its rules are fixed.")
ERROR_EVENT_CLOSED = _("The selection event is not open.")

# An event's lifecycle (selection.lifecycle has the functions): planned (its rules may change)
# → open (the queue is built once, desks serve) → closed for good.
EVENT_LIFECYCLE = Lifecycle(
    EventStatus,
    edit_rules=transition([EventStatus.PLANNED], None, ERROR_RULES_FIXED),
    open=transition(
        [EventStatus.PLANNED],
        EventStatus.OPEN,
        ERROR_REOPEN,
        refusals={EventStatus.OPEN: ERROR_OPEN_AGAIN},
    ),
    serve=transition([EventStatus.OPEN], None, ERROR_EVENT_CLOSED),
    close=transition(
        [EventStatus.OPEN],
        EventStatus.CLOSED,
        ERROR_CLOSED_ALREADY,
        refusals={EventStatus.PLANNED: ERROR_NOT_OPENED},
    ),
)


class SelectionEvent(models.Model):
    """A room-selection day (or days): its queue, desks, buildings and rules. `version` counts
    the changes made to what its board shows away from the desks (each desk counts its own):
    the board's ETag is made of them (selection.board)."""

    project = models.ForeignKey(
        "projects.Project",
        models.PROTECT,
        related_name="selection_events",
        verbose_name=_("project"),
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EventStatus.choices,
        default=EventStatus.PLANNED,
        editable=False,
    )
    queue_source = models.CharField(_("queue"), max_length=10, choices=QueueSource.choices)
    lottery = models.ForeignKey(
        "lottery.Lottery",
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("lottery"),
    )
    buildings = models.ManyToManyField(
        "housing.Building", related_name="+", verbose_name=_("buildings")
    )
    max_flats = models.PositiveSmallIntegerField(
        _("flats per household at most"), default=3, validators=[MinValueValidator(1)]
    )
    allowed_excess = models.DecimalField(
        _("area allowed above the entitlement (m²)"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    shortfall_refund_price = models.DecimalField(
        _("refund per m² below the entitlement (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    allowed_layouts = models.CharField(
        _("layouts on offer"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated 户型; empty: every layout of the buildings."),
    )
    absent_rule = models.CharField(
        _("an absent household"),
        max_length=12,
        choices=AbsentRule.choices,
        default=AbsentRule.MOVE_TO_END,
    )
    countdown_seconds = models.PositiveIntegerField(
        _("countdown per household (s)"), default=600, validators=[MinValueValidator(30)]
    )
    extension_seconds = models.PositiveIntegerField(
        _("extension granted by staff (s)"), default=180, validators=[MinValueValidator(30)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(m2m_fields=[buildings], excluded_fields=["version"])

    class Meta:
        verbose_name = _("selection event")
        verbose_name_plural = _("selection events")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=EventStatus.values), name="event_status_known"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("selection:event", args=[self.pk])

    @property
    def actions(self) -> list[str]:
        """The steps open to the event now, in lifecycle order."""
        return EVENT_LIFECYCLE.allowed(self.status)

    @property
    def can_edit_rules(self) -> bool:
        return EVENT_LIFECYCLE.allows("edit_rules", self.status)

    @property
    def can_open(self) -> bool:
        return EVENT_LIFECYCLE.allows("open", self.status)

    @property
    def can_serve(self) -> bool:
        return EVENT_LIFECYCLE.allows("serve", self.status)

    @property
    def can_close(self) -> bool:
        return EVENT_LIFECYCLE.allows("close", self.status)

    @property
    def layouts(self) -> list[str]:
        return [layout.strip() for layout in self.allowed_layouts.split(",") if layout.strip()]


class PriceTier(models.Model):
    event = models.ForeignKey(SelectionEvent, models.CASCADE, related_name="price_tiers")
    up_to_excess = models.DecimalField(
        _("up to m² over entitlement"), max_digits=7, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )  # fmt: skip
    price_per_m2 = models.DecimalField(
        _("price per m² (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("excess price tier")
        verbose_name_plural = _("excess price tiers")
        ordering = ["event", "up_to_excess"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "up_to_excess"], name="event_tier_unique_bound"
            )
        ]

    def __str__(self) -> str:
        return f"≤{self.up_to_excess} m²: {self.price_per_m2}"


class FloorAdjustment(models.Model):
    """楼层差价: yuan per m² added (or, negative, taken off) for flats on these floors."""

    event = models.ForeignKey(SelectionEvent, models.CASCADE, related_name="floor_adjustments")
    floor_from = models.PositiveSmallIntegerField(
        _("from floor"), validators=[MinValueValidator(1)]
    )
    floor_to = models.PositiveSmallIntegerField(_("to floor"), validators=[MinValueValidator(1)])
    per_m2 = models.DecimalField(_("yuan per m²"), max_digits=10, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("floor price adjustment")
        verbose_name_plural = _("floor price adjustments")
        ordering = ["event", "floor_from"]

    def __str__(self) -> str:
        return f"{self.floor_from}–{self.floor_to}: {self.per_m2}"


class Desk(models.Model):
    """A desk of an event. `version` counts the changes its actions make to what the board
    shows: each desk its own, so that ten desks never wait on one another for it."""

    event = models.ForeignKey(SelectionEvent, models.CASCADE, related_name="desks")
    number = models.PositiveSmallIntegerField(_("desk number"))
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["event", "number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="desk_number_unique")
        ]

    def __str__(self) -> str:
        return _("Desk %(number)s") % {"number": self.number}


class BoardLink(ExpiringKey):
    """A link that opens an event's board without login, for the projector in the hall. Staff
    make one each time they open the board; it expires after BOARD_LINK_HOURS, and a selection
    supervisor (on the event page) or an administrator (in the admin) may revoke it."""

    event = models.ForeignKey(
        SelectionEvent, models.CASCADE, related_name="board_links", verbose_name=_("event")
    )
    last_opened_at = models.DateTimeField(_("last opened"), null=True, editable=False)

    class Meta(ExpiringKey.Meta):
        verbose_name = _("board link")
        verbose_name_plural = _("board links")

    def __str__(self) -> str:
        return f"{self.event} · {self.created_at:%Y-%m-%d %H:%M}"


class QueueStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    PRESENT = "present", _("Choosing")
    SKIPPED = "skipped", _("Lost its turn")
    DONE = "done", _("Flats selected")


ERROR_NOT_CALLED = _("Number %(order_no)s has not been called.")
ERROR_NOT_WAITING = _("Number %(order_no)s is not waiting.")
ERROR_ALREADY_PRESENT = _("Number %(order_no)s is already present.")
ERROR_NOT_DONE = _("Number %(order_no)s has not selected its flats.")
_AT_DESK = (QueueStatus.CALLED, QueueStatus.PRESENT)

# A household's place in the queue (selection.lifecycle has the functions): called to a desk,
# present (served there: its locks, its confirmation), then done with its flats selected, or
# absent (过号: back to the end of the queue or its turn lost, per the event's rule); a voided
# selection puts it back in the queue.
QUEUE_LIFECYCLE = Lifecycle(
    QueueStatus,
    call=transition([QueueStatus.WAITING], QueueStatus.CALLED, ERROR_NOT_WAITING),
    serve=transition(_AT_DESK, None, ERROR_NOT_CALLED),
    present=transition(
        [QueueStatus.CALLED],
        QueueStatus.PRESENT,
        ERROR_NOT_CALLED,
        refusals={QueueStatus.PRESENT: ERROR_ALREADY_PRESENT},
    ),
    requeue=transition(_AT_DESK, QueueStatus.WAITING, ERROR_NOT_CALLED),
    skip=transition(_AT_DESK, QueueStatus.SKIPPED, ERROR_NOT_CALLED),
    finish=transition(_AT_DESK, QueueStatus.DONE, ERROR_NOT_CALLED),
    reopen=transition([QueueStatus.DONE], QueueStatus.WAITING, ERROR_NOT_DONE),
)


class QueueEntry(models.Model):
    """A household's place on a selection day. `order_no` is the number it was given (lottery
    sequence or signing order, shown on the board); `position` is where it stands now (an
    absent household moved to the end gets a position after everyone else)."""

    event = models.ForeignKey(SelectionEvent, models.CASCADE, related_name="queue")
    household = models.ForeignKey(
        "households.Household", models.PROTECT, related_name="queue_entries"
    )
    order_no = models.PositiveIntegerField(_("order number"))
    position = models.IntegerField(_("position"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=QueueStatus.choices,
        default=QueueStatus.WAITING,
        editable=False,
    )
    desk = models.ForeignKey(Desk, models.SET_NULL, related_name="+", null=True, blank=True)
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    absences = models.PositiveSmallIntegerField(_("times absent"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("queue entry")
        verbose_name_plural = _("queue")
        ordering = ["event", "position"]
        constraints = [
            models.UniqueConstraint(fields=["event", "household"], name="queue_household_once"),
            models.UniqueConstraint(fields=["event", "order_no"], name="queue_order_no_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=QueueStatus.values), name="queue_status_known"
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "position"], name="queue_next")]

    def __str__(self) -> str:
        return f"{self.order_no} {self.household.agreement_no}"

    @property
    def can_present(self) -> bool:
        return QUEUE_LIFECYCLE.allows("present", self.status)


class FlatHold(models.Model):
    """A flat locked for a household at a desk while it decides; one hold per flat (the database
    refuses a second), expiring with the countdown."""

    flat = models.OneToOneField(
        "housing.Flat", models.CASCADE, related_name="hold", verbose_name=_("flat")
    )
    event = models.ForeignKey(
        SelectionEvent, models.CASCADE, related_name="holds", verbose_name=_("event")
    )
    desk = models.ForeignKey(Desk, models.CASCADE, related_name="holds", verbose_name=_("desk"))
    queue_entry = models.ForeignKey(
        QueueEntry, models.CASCADE, related_name="holds", verbose_name=_("queue entry")
    )
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="+",
        null=True,
        verbose_name=_("locked by"),
    )
    expires_at = models.DateTimeField(_("lock expires"), db_index=True)

    class Meta:
        verbose_name = _("flat lock")
        verbose_name_plural = _("flat locks")
        ordering = ["flat"]

    def __str__(self) -> str:
        return f"{self.flat} @ {self.desk}"


class SelectionStatus(models.TextChoices):
    ACTIVE = "active", _("Confirmed")
    VOIDED = "voided", _("Voided")


ERROR_NOT_ACTIVE = _("This selection is not active.")

# A selection is confirmed (active) until a supervisor voids it, alone or by swapping its
# flats for others (selection.lifecycle, selection.confirmation).
SELECTION_LIFECYCLE = Lifecycle(
    SelectionStatus,
    void=transition([SelectionStatus.ACTIVE], SelectionStatus.VOIDED, ERROR_NOT_ACTIVE),
    swap=transition([SelectionStatus.ACTIVE], SelectionStatus.VOIDED, ERROR_NOT_ACTIVE),
)


class SelectionSource(models.TextChoices):
    DESK = "desk", _("Chosen at a desk")
    LOTTERY = "lottery", _("Assigned by lottery")


class Selection(models.Model):
    """A household's confirmed choice of flats (选房确认), with its settlement. A void keeps the
    record (status voided, reason, who) and returns the flats to the pool."""

    event = models.ForeignKey(SelectionEvent, models.PROTECT, related_name="selections", null=True)
    household = models.ForeignKey("households.Household", models.PROTECT, related_name="selections")
    desk = models.ForeignKey(Desk, models.SET_NULL, related_name="+", null=True, blank=True)
    source = models.CharField(
        max_length=10, choices=SelectionSource.choices, default=SelectionSource.DESK
    )
    lottery = models.ForeignKey(
        "lottery.Lottery", models.PROTECT, related_name="+", null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SelectionStatus.choices,
        default=SelectionStatus.ACTIVE,
        editable=False,
    )
    idempotency_key = models.UUIDField(unique=True, default=uuid.uuid4)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True
    )
    confirmed_at = models.DateTimeField(_("confirmed"), auto_now_add=True)
    entitled_area = models.DecimalField(_("entitled area"), max_digits=8, decimal_places=2)
    total_area = models.DecimalField(_("area chosen"), max_digits=8, decimal_places=2)
    excess_area = models.DecimalField(_("area above entitlement"), max_digits=8, decimal_places=2)
    shortfall_area = models.DecimalField(
        _("area below entitlement"), max_digits=8, decimal_places=2
    )
    excess_amount = models.DecimalField(_("excess area payment"), max_digits=12, decimal_places=2)
    refund_amount = models.DecimalField(_("shortfall refund"), max_digits=12, decimal_places=2)
    floor_amount = models.DecimalField(_("floor adjustments"), max_digits=12, decimal_places=2)
    balance = models.DecimalField(_("balance"), max_digits=12, decimal_places=2)
    settlement = models.JSONField(default=dict)
    replaces = models.ForeignKey(
        "self", models.SET_NULL, related_name="+", null=True, blank=True, verbose_name=_("replaces")
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True
    )
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    confirmation_pdf = models.FileField(
        upload_to="confirmations/%Y/%m/", storage=private_storage, blank=True
    )

    history = HistoricalRecords()

    # The choices, for templates: {% if selection.status == selection.Status.VOIDED %}.
    Status = SelectionStatus
    Source = SelectionSource

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        ordering = ["-confirmed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status=SelectionStatus.ACTIVE),
                name="one_active_selection_per_household",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SelectionStatus.values),
                name="selection_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.agreement_no}: {self.total_area} m²"

    def get_absolute_url(self) -> str:
        return reverse("selection:detail", args=[self.pk])

    @property
    def actions(self) -> list[str]:
        """What is open to the selection now, in lifecycle order."""
        return SELECTION_LIFECYCLE.allowed(self.status)

    @property
    def can_void(self) -> bool:
        return SELECTION_LIFECYCLE.allows("void", self.status)


class SelectedFlat(models.Model):
    """A flat of a selection. `active` follows the selection's status, so the database itself
    refuses a second active selection of the same flat."""

    selection = models.ForeignKey(
        Selection, models.CASCADE, related_name="flats", verbose_name=_("selection")
    )
    flat = models.ForeignKey(
        "housing.Flat", models.PROTECT, related_name="selections", verbose_name=_("flat")
    )
    area = models.DecimalField(_("area"), max_digits=8, decimal_places=2)
    active = models.BooleanField(_("in force"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("selected flat")
        verbose_name_plural = _("selected flats")
        ordering = ["selection", "flat__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["flat"],
                condition=models.Q(active=True),
                name="one_active_selection_per_flat",
            )
        ]

    def __str__(self) -> str:
        return str(self.flat)


class LogAction(models.TextChoices):
    OPEN = "open", _("Event opened")
    CLOSE = "close", _("Event closed")
    CALL = "call", _("Called")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    HOLD = "hold", _("Flats locked")
    EXTEND = "extend", _("Lock extended")
    RELEASE = "release", _("Flats released")
    EXPIRE = "expire", _("Lock expired")
    CONFIRM = "confirm", _("Selection confirmed")
    VOID = "void", _("Selection voided")
    SWAP = "swap", _("Flats swapped")
    BOARD = "board", _("Board links revoked")


class SelectionLog(models.Model):
    """The day's audit trail: every call, absence, lock, confirmation and void, with desk, user
    and time. Append-only."""

    event = models.ForeignKey(
        SelectionEvent, models.CASCADE, related_name="log", verbose_name=_("event")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=LogAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        related_name="+",
        null=True,
        verbose_name=_("user"),
    )
    desk = models.ForeignKey(
        Desk, models.SET_NULL, related_name="+", null=True, verbose_name=_("desk")
    )
    household = models.ForeignKey(
        "households.Household",
        models.SET_NULL,
        related_name="+",
        null=True,
        verbose_name=_("household"),
    )
    flats = models.CharField(_("flats"), max_length=500, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("selection log entry")
        verbose_name_plural = _("selection log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%H:%M:%S} {self.get_action_display()}"
