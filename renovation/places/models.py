"""Where renovation happens: Street (街道/镇) → Community (社区) → Neighbourhood (小区)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Street(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    code = models.SlugField(_("code"), max_length=32, unique=True, help_text=_("Short Latin code, e.g. anyang."))
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("street")
        verbose_name_plural = _("streets")

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=64)

    history = HistoricalRecords()

    class Meta:
        ordering = ["street__sort_order", "name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"],
                name="community_unique_name_per_street",
                violation_error_message=_("This street already has a community with this name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.street.name} · {self.name}"


class ManagementType(models.TextChoices):
    PROPERTY_COMPANY = "property_company", _("Property company (物管)")
    SELF_MANAGED = "self_managed", _("Self-managed (自管)")
    COMMUNITY = "community", _("Community-managed (社区管)")


class Neighbourhood(models.Model):
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="neighbourhoods",
        verbose_name=_("community"),
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    built_year = models.PositiveSmallIntegerField(
        _("year built"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    building_count = models.PositiveIntegerField(_("buildings"), default=0)
    household_count = models.PositiveIntegerField(_("households"), default=0)
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    management_type = models.CharField(
        _("management"),
        max_length=20,
        choices=ManagementType.choices,
        default=ManagementType.COMMUNITY,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("neighbourhood")
        verbose_name_plural = _("neighbourhoods")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="neighbourhood_unique_name_per_community",
                violation_error_message=_("This community already has a neighbourhood with this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(floor_area__gte=0),
                name="neighbourhood_floor_area_not_negative",
                violation_error_message=_("The floor area cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def street(self) -> Street:
        return self.community.street
