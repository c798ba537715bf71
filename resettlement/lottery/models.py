import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from resettlement.lifecycle import Lifecycle, transition
from resettlement.storage import private_storage


class LotteryMode(models.TextChoices):
    ORDER = "order", _("Selection order (摇号定序)")
    ASSIGN = "assign", _("Flats assigned (摇号定房)")


class LotteryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FROZEN = "frozen", _("Roster frozen")
    DRAWN = "drawn", _("Drawn")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class GroupRule(models.TextChoices):
    SINGLE = "single", _("One group for everyone")
    FLAGS = "flags", _("Priority households first (by flags)")
    EXPLICIT = "explicit", _("Groups set entry by entry")


class DrawMethod(models.TextChoices):
    SYSTEM = "system", _("This system (algorithm v1, witnessed public input)")
    NOTARY = "notary", _("The notary's own software (stamped result imported)")


ERROR_EDIT_ROSTER = _("The lottery is “%(status)s”: its roster changes only while a draft.")
ERROR_FREEZE = _("The lottery is “%(status)s”: only a draft roster is frozen.")
ERROR_DRAW = _("The lottery is “%(status)s”: it is drawn once, after its roster is frozen.")
ERROR_PUBLISH = _("The lottery is “%(status)s”: only a drawn result is published.")
ERROR_CANCEL = _("The lottery is “%(status)s”: only a draft or a frozen roster is cancelled.")
ERROR_REDRAW = _("The lottery is “%(status)s”: only a frozen, drawn or published one is re-drawn.")
ERROR_EDIT_NOTICE = _(
    "The lottery is “%(status)s”: its notice details change only until it is published."
)
ERROR_REPLACED = _("This lottery was replaced by the re-draw “%(name)s”: take the steps there.")
ERROR_NOTICE_DETAILS = _(
    "Before publishing, enter the notice's publicity period and where objections go: %(missing)s."
)
ERROR_PUBLICITY_DATES = _("The publicity period cannot end before it starts.")
ERROR_OBJECTION_UNTIL = _("Objections cannot close before the publicity period starts.")
# The lottery's fields the notice needs before publication, in the order the message names them.
NOTICE_DETAIL_FIELDS = (
    "publicity_starts_on",
    "publicity_ends_on",
    "objection_contact",
    "objection_channel",
    "objection_until",
)

_FROZEN_ON = (LotteryStatus.FROZEN, LotteryStatus.DRAWN, LotteryStatus.PUBLISHED)

# A lottery's lifecycle (lottery.lifecycle has a function for each step). A lottery replaced by
# a re-draw takes no step at all, whatever its status (Lottery.can).
LOTTERY_LIFECYCLE = Lifecycle(
    LotteryStatus,
    edit_roster=transition([LotteryStatus.DRAFT], None, ERROR_EDIT_ROSTER),
    freeze=transition([LotteryStatus.DRAFT], LotteryStatus.FROZEN, ERROR_FREEZE),
    draw=transition([LotteryStatus.FROZEN], LotteryStatus.DRAWN, ERROR_DRAW),
    import_result=transition([LotteryStatus.FROZEN], LotteryStatus.DRAWN, ERROR_DRAW),
    publish=transition([LotteryStatus.DRAWN], LotteryStatus.PUBLISHED, ERROR_PUBLISH),
    cancel=transition(
        [LotteryStatus.DRAFT, LotteryStatus.FROZEN], LotteryStatus.CANCELLED, ERROR_CANCEL
    ),
    redraw=transition(_FROZEN_ON, None, ERROR_REDRAW),
    edit_notice=transition(
        [LotteryStatus.DRAFT, LotteryStatus.FROZEN, LotteryStatus.DRAWN], None, ERROR_EDIT_NOTICE
    ),
)
# Steps that depend on how the lottery is drawn.
DRAWN_BY = {"draw": DrawMethod.SYSTEM, "import_result": DrawMethod.NOTARY}


LIVE_STATUSES = (
    LotteryStatus.DRAFT,
    LotteryStatus.FROZEN,
    LotteryStatus.DRAWN,
    LotteryStatus.PUBLISHED,
)


class LotteryQuerySet(models.QuerySet):
    def live(self):
        """Lotteries that hold their households: not cancelled and not replaced by a re-draw."""
        return self.filter(status__in=LIVE_STATUSES, replaced_by__isnull=True)


class Lottery(models.Model):
    project = models.ForeignKey(
        "projects.Project", models.PROTECT, related_name="lotteries", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=100)
    mode = models.CharField(_("mode"), max_length=10, choices=LotteryMode.choices)
    algorithm = models.CharField(_("algorithm"), max_length=10, default="v1", editable=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=LotteryStatus.choices,
        default=LotteryStatus.DRAFT,
        editable=False,
    )
    scheduled_on = models.DateField(_("draw date"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    group_rule = models.CharField(
        _("priority groups"), max_length=10, choices=GroupRule.choices, default=GroupRule.FLAGS
    )
    priority_flags = models.JSONField(
        _("flags giving priority"),
        default=list,
        blank=True,
        help_text=_("Household flags that put a household in group 1 (elderly, disabled)."),
    )
    draw_method = models.CharField(
        _("draw method"), max_length=10, choices=DrawMethod.choices, default=DrawMethod.SYSTEM
    )
    roster_digest = models.CharField(_("roster digest"), max_length=64, blank=True, editable=False)
    commitment = models.CharField(_("commitment"), max_length=64, blank=True, editable=False)
    secret = models.CharField(_("secret"), max_length=64, blank=True, editable=False)
    public_input = models.TextField(_("public input"), blank=True, editable=False)
    result_digest = models.CharField(_("result digest"), max_length=64, blank=True, editable=False)
    notary_file = models.FileField(
        _("stamped result file"), upload_to="lottery/", storage=private_storage, blank=True
    )
    notary_file_digest = models.CharField(max_length=64, blank=True, editable=False)
    replaces = models.OneToOneField(
        "self",
        models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        editable=False,
    )
    replace_reason = models.TextField(_("reason for the re-draw"), blank=True, editable=False)
    replace_approved_by = models.CharField(
        _("re-draw approved by"), max_length=100, blank=True, editable=False
    )
    # The notice's publicity period (公示期) and where objections (异议) go, until when: set
    # before publication (ERROR_NOTICE_DETAILS), shown on the notice; blank on lotteries
    # published before these existed.
    publicity_starts_on = models.DateField(_("publicity period from"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("publicity period until"), null=True, blank=True)
    objection_contact = models.CharField(
        _("objections to"),
        max_length=100,
        blank=True,
        help_text=_("Who receives objections, e.g. 街道办回迁安置工作专班 王主任."),
    )
    objection_channel = models.CharField(
        _("objection phone or address"),
        max_length=200,
        blank=True,
        help_text=_("A phone number or a postal or office address."),
    )
    objection_until = models.DateField(_("objections until"), null=True, blank=True)
    public_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, related_name="+", null=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    frozen_at = models.DateTimeField(_("frozen"), null=True, editable=False)
    drawn_at = models.DateTimeField(_("drawn"), null=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, editable=False)

    objects = LotteryQuerySet.as_manager()
    history = HistoricalRecords()

    # The choices, for templates: {% if lottery.mode == lottery.Mode.ASSIGN %}.
    Mode = LotteryMode
    Status = LotteryStatus
    GroupRule = GroupRule
    DrawMethod = DrawMethod

    class Meta:
        verbose_name = _("lottery")
        verbose_name_plural = _("lotteries")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=LotteryStatus.values), name="lottery_status_known"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("lottery:detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        start, end = self.publicity_starts_on, self.publicity_ends_on
        if start and end and end < start:
            errors["publicity_ends_on"] = ERROR_PUBLICITY_DATES
        if start and self.objection_until and self.objection_until < start:
            errors["objection_until"] = ERROR_OBJECTION_UNTIL
        if errors:
            raise ValidationError(errors)

    @property
    def notice_details_missing(self) -> list[str]:
        """The labels of the notice details still blank (publication needs them all)."""
        fields = {field.name: field for field in self._meta.concrete_fields}
        return [
            str(fields[name].verbose_name)
            for name in NOTICE_DETAIL_FIELDS
            if getattr(self, name) in (None, "")
        ]

    @property
    def secret_revealed(self) -> bool:
        return self.status in (LotteryStatus.DRAWN, LotteryStatus.PUBLISHED)

    @property
    def successor(self) -> "Lottery | None":
        """The re-draw that replaced this lottery, if any."""
        return getattr(self, "replaced_by", None)

    def can(self, verb: str) -> bool:
        """Whether the step `verb` is open to this lottery now (its status, its draw method,
        and not replaced by a re-draw)."""
        method = DRAWN_BY.get(verb)
        return (
            self.successor is None
            and LOTTERY_LIFECYCLE.allows(verb, self.status)
            and (method is None or self.draw_method == method)
        )

    @property
    def actions(self) -> list[str]:
        """The steps open to this lottery now, in lifecycle order."""
        return [verb for verb in LOTTERY_LIFECYCLE.verbs if self.can(verb)]

    @property
    def can_edit_roster(self) -> bool:
        return self.can("edit_roster")

    @property
    def can_freeze(self) -> bool:
        return self.can("freeze")

    @property
    def can_draw(self) -> bool:
        return self.can("draw")

    @property
    def can_import_result(self) -> bool:
        return self.can("import_result")

    @property
    def can_publish(self) -> bool:
        return self.can("publish")

    @property
    def can_cancel(self) -> bool:
        return self.can("cancel")

    @property
    def can_redraw(self) -> bool:
        return self.can("redraw")

    @property
    def can_edit_notice(self) -> bool:
        return self.can("edit_notice")


class LotteryEntry(models.Model):
    """One household on the roster, with its priority group (and pool, in mode assign)."""

    lottery = models.ForeignKey(Lottery, models.CASCADE, related_name="entries")
    household = models.ForeignKey(
        "households.Household", models.PROTECT, related_name="lottery_entries"
    )
    agreement_no = models.CharField(_("agreement number"), max_length=40)
    group = models.PositiveIntegerField(_("priority group"), default=1)
    pool = models.CharField(_("pool"), max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        ordering = ["group", "agreement_no"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "household"], name="entry_household_once"),
            models.UniqueConstraint(
                fields=["lottery", "agreement_no"], name="entry_agreement_once"
            ),
            models.CheckConstraint(condition=models.Q(group__gte=1), name="entry_group_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.agreement_no}"


class LotteryPoolFlat(models.Model):
    """A flat in the draw of a mode-assign lottery, in its pool."""

    lottery = models.ForeignKey(
        Lottery, models.CASCADE, related_name="pool_flats", verbose_name=_("lottery")
    )
    pool = models.CharField(_("pool"), max_length=40)
    flat = models.ForeignKey(
        "housing.Flat", models.PROTECT, related_name="+", verbose_name=_("flat")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("flat in a pool")
        verbose_name_plural = _("flats in pools")
        ordering = ["pool", "flat__code"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "flat"], name="pool_flat_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pool}: {self.flat}"


class LotteryResult(models.Model):
    """The draw's outcome for one entry: its sequence number (and flat, in mode assign).

    Written once by the draw (or the notary's import) and never changed: a re-draw is a new
    lottery. Their history is the lottery's own (drawn_at, result digest)."""

    lottery = models.ForeignKey(
        Lottery, models.CASCADE, related_name="results", verbose_name=_("lottery")
    )
    entry = models.OneToOneField(
        LotteryEntry, models.CASCADE, related_name="result", verbose_name=_("roster entry")
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    draw_key = models.CharField(_("draw key"), max_length=64, blank=True)
    flat = models.ForeignKey(
        "housing.Flat", models.PROTECT, related_name="+", null=True, verbose_name=_("flat")
    )

    class Meta:
        verbose_name = _("lottery result")
        verbose_name_plural = _("lottery results")
        ordering = ["lottery", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "sequence"], name="result_sequence_once"),
            models.UniqueConstraint(
                fields=["lottery", "flat"],
                condition=models.Q(flat__isnull=False),
                name="result_flat_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sequence} {self.entry.agreement_no}"


class Witness(models.Model):
    lottery = models.ForeignKey(
        Lottery, models.CASCADE, related_name="witnesses", verbose_name=_("lottery")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    role = models.CharField(
        _("role"), max_length=50, help_text=_("e.g. 公证员, 村民代表, 纪检监督")
    )
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.role}）"
