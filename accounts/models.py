"""Staff of the KIM teams.

The project uses its own user model so that what the system needs to know about
a member of staff (employer, regions, full-time equivalent) sits on the account
itself, with no second profile row to keep in step.
"""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

EMPLOYER_MUNICIPALITY_OUTSIDE_DISTRICT = _(
    "Die anstellende Kommune muss zum Kreis der Mitarbeiterin bzw. des Mitarbeiters gehören."
)


class User(AbstractUser):
    district = models.ForeignKey(
        "regions.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("Kreis"),
        help_text=_("Der Kreis, für dessen KIM die Person arbeitet."),
    )
    employing_municipality = models.ForeignKey(
        "regions.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("Anstellungsträger (Kommune)"),
        help_text=_(
            "Leer lassen, wenn die Person beim Kommunalen Integrationszentrum des Kreises "
            "angestellt ist. Die Fachaufsicht liegt immer beim KI."
        ),
    )
    regions = models.ManyToManyField(
        "regions.Region", blank=True, related_name="staff", verbose_name=_("Teilregionen")
    )
    fte = models.DecimalField(
        _("Stellenanteil (VZÄ)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Vollzeitäquivalent zwischen 0 und 1, z. B. 0,5 für eine halbe Stelle."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("Mitarbeiter/in")
        verbose_name_plural = _("Mitarbeitende")
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fte__gte=0) & models.Q(fte__lte=1), name="user_fte_between_0_and_1"
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def employer_label(self) -> str:
        if self.employing_municipality_id:
            return str(self.employing_municipality)
        if self.district_id:
            return _("Kommunales Integrationszentrum %(district)s") % {"district": self.district}
        return ""

    def clean(self) -> None:
        super().clean()
        if (
            self.employing_municipality_id
            and self.district_id
            and self.employing_municipality.region.district_id != self.district_id
        ):
            raise ValidationError({"employing_municipality": EMPLOYER_MUNICIPALITY_OUTSIDE_DISTRICT})
