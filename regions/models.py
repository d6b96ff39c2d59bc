"""The geography KIM works in: a district (Kreis), its sub-regions and municipalities.

Nothing here is specific to Kreis Coesfeld; Coesfeld is data, loaded by a migration.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kim.models import TimeStampedModel

DISTRICT_KEY_VALIDATOR = RegexValidator(
    r"^\d{5}$", _("Der Kreisschlüssel besteht aus genau 5 Ziffern (z. B. 05558).")
)
AGS_VALIDATOR = RegexValidator(
    r"^\d{8}$", _("Der amtliche Gemeindeschlüssel (AGS) besteht aus genau 8 Ziffern.")
)
DISTRICT_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z]{1,4}$", _("Das Kürzel besteht aus 1 bis 4 Großbuchstaben (z. B. COE).")
)
AGS_OUTSIDE_DISTRICT = _("Der AGS %(ags)s gehört nicht zum Kreis mit dem Schlüssel %(key)s.")


class District(TimeStampedModel):
    """A Kreis or kreisfreie Stadt running KIM."""

    name = models.CharField(_("Name"), max_length=100, unique=True)
    key = models.CharField(
        _("Kreisschlüssel"), max_length=5, unique=True, validators=[DISTRICT_KEY_VALIDATOR]
    )
    code = models.CharField(
        _("Kürzel"),
        max_length=4,
        unique=True,
        validators=[DISTRICT_CODE_VALIDATOR],
        help_text=_("Erscheint in den Aktenzeichen, z. B. COE-2026-00042."),
    )

    class Meta:
        verbose_name = _("Kreis")
        verbose_name_plural = _("Kreise")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Region(TimeStampedModel):
    """A Teilregion of a district, served by one KIM team."""

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="regions", verbose_name=_("Kreis")
    )
    name = models.CharField(_("Name"), max_length=100)

    class Meta:
        verbose_name = _("Teilregion")
        verbose_name_plural = _("Teilregionen")
        ordering = ["district__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="region_unique_name_per_district")
        ]

    def __str__(self) -> str:
        return self.name


class Municipality(TimeStampedModel):
    """A Kommune, identified by its amtlicher Gemeindeschlüssel (AGS)."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("Teilregion")
    )
    name = models.CharField(_("Name"), max_length=100)
    ags = models.CharField(_("AGS"), max_length=8, unique=True, validators=[AGS_VALIDATOR])
    population = models.PositiveIntegerField(_("Einwohnerzahl"), null=True, blank=True)

    class Meta:
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ags__regex=r"^[0-9]{8}$"), name="municipality_ags_8_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def district(self) -> District:
        return self.region.district

    def clean(self) -> None:
        super().clean()
        # The first five digits of an AGS are the Kreisschlüssel.
        if self.ags and self.region_id and AGS_VALIDATOR.regex.match(self.ags):
            key = self.region.district.key
            if not self.ags.startswith(key):
                raise ValidationError({"ags": AGS_OUTSIDE_DISTRICT % {"ags": self.ags, "key": key}})
