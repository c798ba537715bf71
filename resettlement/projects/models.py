from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from resettlement.geometry import validate_area_geometry

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
    _("Use letters, digits, hyphens and underscores only."),
)


class District(models.Model):
    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=50)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class StreetOffice(models.Model):
    district = models.ForeignKey(
        District, models.PROTECT, related_name="street_offices", verbose_name=_("district")
    )
    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=50)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("street office")
        verbose_name_plural = _("street offices")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class VillageKind(models.TextChoices):
    URBAN_VILLAGE = "urban_village", _("Urban village")
    SHANTYTOWN = "shantytown", _("Shantytown")
    FACTORY_ESTATE = "factory_estate", _("Factory estate")
    OLD_ESTATE = "old_estate", _("Old residential estate")
    OTHER = "other", _("Other")


class Village(models.Model):
    street_office = models.ForeignKey(
        StreetOffice, models.PROTECT, related_name="villages", verbose_name=_("street office")
    )
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(
        _("kind"), max_length=20, choices=VillageKind.choices, default=VillageKind.URBAN_VILLAGE
    )
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        validators=[validate_area_geometry],
        help_text=_("GeoJSON Polygon or MultiPolygon in WGS84 (longitude, latitude)."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


ERROR_PER_CAPITA_AREA_REQUIRED = _("An entitlement per person needs the area per person.")


class EntitlementBasis(models.TextChoices):
    PER_CAPITA = "per_capita", _("Per recognised person")
    AREA = "area", _("Area for area")
    GREATER = "greater", _("The greater of the two")


class Project(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    street_office = models.ForeignKey(
        StreetOffice, models.PROTECT, related_name="projects", verbose_name=_("street office")
    )
    villages = models.ManyToManyField(
        Village, related_name="projects", verbose_name=_("villages"), blank=True
    )
    description = models.TextField(_("description"), blank=True)
    entitlement_basis = models.CharField(
        _("entitlement basis"),
        max_length=20,
        choices=EntitlementBasis.choices,
        default=EntitlementBasis.AREA,
    )
    per_capita_area = models.DecimalField(
        _("area per recognised person (m²)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    area_ratio = models.DecimalField(
        _("entitled area per m² of original area"),
        max_digits=5,
        decimal_places=3,
        default=Decimal("1.000"),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    shortfall_refund_price = models.DecimalField(
        _("refund per m² chosen below entitlement (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    # Sums due at handover (交房), printed on each household's notice.
    maintenance_fund_rate = models.DecimalField(
        _("special maintenance fund per m² of gross area (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    property_fee_rate = models.DecimalField(
        _("property service fee per m² per month (yuan)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    property_fee_months = models.PositiveSmallIntegerField(
        _("months of property service paid at handover"), default=12
    )
    handover_phone = models.CharField(_("handover office phone"), max_length=24, blank=True)
    household_access_codes = models.BooleanField(
        _("households need an access code to check their status"),
        default=False,
        help_text=_(
            "Besides the agreement number and the last 6 characters of the head's ID number, "
            "a household signing in at /my/ types the access code printed on its documents."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[villages])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:dashboard", kwargs={"code": self.code})

    def clean(self) -> None:
        if self.entitlement_basis != EntitlementBasis.AREA and not self.per_capita_area:
            raise ValidationError({"per_capita_area": ERROR_PER_CAPITA_AREA_REQUIRED})


class ExcessPriceTier(models.Model):
    """Price of area chosen above the entitlement, up to `up_to_excess` m² over it.

    Tiers apply in order of their bound; the largest bound is the cap beyond which no excess
    may be chosen.
    """

    project = models.ForeignKey(
        Project, models.CASCADE, related_name="price_tiers", verbose_name=_("project")
    )
    up_to_excess = models.DecimalField(
        _("up to m² over entitlement"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
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
        ordering = ["project", "up_to_excess"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "up_to_excess"], name="price_tier_unique_bound"
            )
        ]

    def __str__(self) -> str:
        return f"≤{self.up_to_excess} m²: {self.price_per_m2}"
