from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from resettlement.id_encryption import (
    TAIL_LENGTH,
    EncryptedIdNumberField,
    IdHashField,
    IdTailField,
    with_derived_fields,
)
from resettlement.id_numbers import validate_id_number
from resettlement.lifecycle import Lifecycle, transition
from resettlement.phone_numbers import validate_phone


class HouseholdStatus(models.TextChoices):
    """Where a household stands in the resettlement lifecycle (HOUSEHOLD_LIFECYCLE below)."""

    REGISTERED = "registered", _("Registered, not signed")
    SIGNED = "signed", _("Agreement signed")
    ORDERED = "ordered", _("Selection order assigned")
    ALLOCATED = "allocated", _("Flat selected")
    NOTIFIED = "notified", _("Handover notified")
    HANDED_OVER = "handed_over", _("Handed over")
    CERTIFIED = "certified", _("Title issued")


ERROR_TRANSITION = _("A household cannot go from “%(status)s” to “%(target)s”.")
ERROR_ALREADY_ALLOCATED = _("This household has already selected its flats.")

# The lifecycle in domain order (households.lifecycle has a function for each step); the
# releases undo a selection that was voided: back to its order, or to signed if it had none.
HOUSEHOLD_LIFECYCLE = Lifecycle(
    HouseholdStatus,
    sign=transition([HouseholdStatus.REGISTERED], HouseholdStatus.SIGNED, ERROR_TRANSITION),
    order=transition(
        [HouseholdStatus.SIGNED, HouseholdStatus.ORDERED], HouseholdStatus.ORDERED, ERROR_TRANSITION
    ),
    allocate=transition(
        [HouseholdStatus.SIGNED, HouseholdStatus.ORDERED],
        HouseholdStatus.ALLOCATED,
        ERROR_TRANSITION,
        refusals={HouseholdStatus.ALLOCATED: ERROR_ALREADY_ALLOCATED},
    ),
    release_to_order=transition(
        [HouseholdStatus.ALLOCATED], HouseholdStatus.ORDERED, ERROR_TRANSITION
    ),
    release=transition([HouseholdStatus.ALLOCATED], HouseholdStatus.SIGNED, ERROR_TRANSITION),
    notify=transition([HouseholdStatus.ALLOCATED], HouseholdStatus.NOTIFIED, ERROR_TRANSITION),
    hand_over=transition([HouseholdStatus.NOTIFIED], HouseholdStatus.HANDED_OVER, ERROR_TRANSITION),
    undo_hand_over=transition(
        [HouseholdStatus.HANDED_OVER], HouseholdStatus.NOTIFIED, ERROR_TRANSITION
    ),
    certify=transition([HouseholdStatus.HANDED_OVER], HouseholdStatus.CERTIFIED, ERROR_TRANSITION),
)


class CompensationMode(models.TextChoices):
    PROPERTY_SWAP = "property_swap", _("Property swap")
    CASH = "cash", _("Cash")
    MIXED = "mixed", _("Mixed")


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Child-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class HouseholdQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(project=project)

    def in_projects(self, project_ids):
        """Scope to these project ids; None means every project."""
        return self if project_ids is None else self.filter(project_id__in=project_ids)

    def matching(self, text: str):
        """Agreement number (prefix) or the name of the head or a member (substring)."""
        text = text.strip()
        if not text:
            return self
        members = Member.objects.filter(household=models.OuterRef("pk"), name__contains=text)
        return self.filter(
            models.Q(agreement_no__istartswith=text)
            | models.Q(head_name__contains=text)
            | models.Exists(members)
        )

    def with_id_ending(self, digits: str):
        """Households whose head or a member has an ID number ending in these characters (at
        most the last TAIL_LENGTH are kept beside the encrypted number: a longer ending is
        matched by its last ones)."""
        digits = digits.strip().upper()[-TAIL_LENGTH:]
        if not digits:
            return self
        members = Member.objects.filter(household=models.OuterRef("pk"), id_tail__endswith=digits)
        return self.filter(models.Q(head_id_tail__endswith=digits) | models.Exists(members))


class Household(models.Model):
    project = models.ForeignKey(
        "projects.Project", models.PROTECT, related_name="households", verbose_name=_("project")
    )
    village = models.ForeignKey(
        "projects.Village", models.PROTECT, related_name="households", verbose_name=_("village")
    )
    agreement_no = models.CharField(_("agreement number"), max_length=40)
    head_name = models.CharField(_("head of household"), max_length=50)
    head_id_number = EncryptedIdNumberField(_("head's ID number"), validators=[validate_id_number])
    head_id_hash = IdHashField(source="head_id_number")
    head_id_tail = IdTailField(source="head_id_number", db_index=True)
    phone = models.CharField(_("phone"), max_length=24, blank=True, validators=[validate_phone])
    recognised_persons = models.PositiveSmallIntegerField(
        _("recognised persons"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    original_area = models.DecimalField(
        _("original house area (m²)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    entitled_area = models.DecimalField(
        _("entitled area (m²)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    compensation_mode = models.CharField(
        _("compensation mode"),
        max_length=20,
        choices=CompensationMode.choices,
        default=CompensationMode.PROPERTY_SWAP,
    )
    signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    elderly = models.BooleanField(_("elderly member"), default=False)
    disabled = models.BooleanField(_("disabled member"), default=False)
    hardship = models.BooleanField(_("hardship household"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.SIGNED,
        editable=False,
    )
    selection_order = models.PositiveIntegerField(
        _("selection order number"), null=True, blank=True, editable=False
    )
    note = models.TextField(_("note"), blank=True)
    # The household's access code (household_status.codes) is derived from this: staff rotate
    # the code by raising it, which also ends the household's sessions and API tokens.
    access_code_version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = HouseholdQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["project", "agreement_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "agreement_no"], name="household_agreement_unique"
            ),
            models.UniqueConstraint(
                fields=["project", "head_id_hash"], name="household_head_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status"], name="household_project_status"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_no} {self.head_name}"

    def save(self, *args, **kwargs):
        kwargs["update_fields"] = with_derived_fields(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("households:detail", kwargs={"pk": self.pk})

    @property
    def can_sign(self) -> bool:
        return HOUSEHOLD_LIFECYCLE.allows("sign", self.status)

    @property
    def priority_flags(self) -> list[str]:
        flags = (
            (self.elderly, _("Elderly")),
            (self.disabled, _("Disabled")),
            (self.hardship, _("Hardship")),
        )
        return [str(label) for present, label in flags if present]


class Member(models.Model):
    household = models.ForeignKey(
        Household, models.CASCADE, related_name="members", verbose_name=_("household")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    relation = models.CharField(_("relation to head"), max_length=20, choices=Relation.choices)
    id_number = EncryptedIdNumberField(_("ID number"), blank=True, validators=[validate_id_number])
    id_hash = IdHashField(source="id_number", db_index=True)
    id_tail = IdTailField(source="id_number", db_index=True)
    recognised = models.BooleanField(_("recognised for resettlement"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        kwargs["update_fields"] = with_derived_fields(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)
