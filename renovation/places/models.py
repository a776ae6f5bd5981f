"""Where renovation happens: Street (街道/镇) → Community (社区) → Neighbourhood (小区)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .coordinates import CHINA_LATITUDE, CHINA_LONGITUDE


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


_LATITUDE = _("A latitude in China lies between 3.8 and 53.6 degrees north (WGS-84).")
_LONGITUDE = _("A longitude in China lies between 73.5 and 135.1 degrees east (WGS-84).")


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
    # The estate's centre for the public maps, in WGS-84 (GPS, 天地图's CGCS2000 within a metre);
    # converted for tile services that draw in GCJ-02 (renovation/places/coordinates.py).
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(CHINA_LATITUDE[0], _LATITUDE), MaxValueValidator(CHINA_LATITUDE[1], _LATITUDE)],
        help_text=_("WGS-84 (GPS), in degrees north, e.g. 27.781234."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(CHINA_LONGITUDE[0], _LONGITUDE),
            MaxValueValidator(CHINA_LONGITUDE[1], _LONGITUDE),
        ],
        help_text=_("WGS-84 (GPS), in degrees east, e.g. 120.654321."),
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
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=CHINA_LATITUDE[0],
                    latitude__lte=CHINA_LATITUDE[1],
                    longitude__gte=CHINA_LONGITUDE[0],
                    longitude__lte=CHINA_LONGITUDE[1],
                ),
                name="neighbourhood_location_in_china",
                violation_error_message=_(
                    "Give both the latitude and the longitude of a place in China (WGS-84), or neither."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The check constraint's rule, with a message on the missing field (services validate
        # without running check constraints: renovation/changelog/records.py).
        if (self.latitude is None) != (self.longitude is None):
            missing = "latitude" if self.latitude is None else "longitude"
            raise ValidationError({missing: _("Give both the latitude and the longitude, or neither.")})

    @property
    def street(self) -> Street:
        return self.community.street
