"""The network: actors and their contact persons."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kim.models import DESCRIPTION_MAX_LENGTH, TimeStampedModel, text_limit

from .base import PHONE_VALIDATOR, POSTAL_CODE_VALIDATOR, VersionedModel
from .catalogues import ActorType, Topic

# --- The network ---------------------------------------------------------------------


class Actor(VersionedModel, TimeStampedModel):
    """An organisation or service in the Netzwerk Chancengerechtigkeit."""

    district = models.ForeignKey(
        "regions.District", on_delete=models.PROTECT, related_name="actors", verbose_name=_("Kreis")
    )
    name = models.CharField(_("Name"), max_length=200)
    actor_type = models.ForeignKey(
        ActorType, on_delete=models.PROTECT, related_name="actors", verbose_name=_("Akteursart")
    )
    municipalities = models.ManyToManyField(
        "regions.Municipality",
        blank=True,
        related_name="actors",
        verbose_name=_("zuständig für Kommunen"),
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="actors", verbose_name=_("Handlungsfelder")
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=5, blank=True, validators=[POSTAL_CODE_VALIDATOR])
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True, validators=[PHONE_VALIDATOR])
    email = models.EmailField(_("E-Mail"), blank=True)
    website = models.URLField(_("Website"), blank=True)
    description = models.TextField(
        _("Angebot / Beschreibung"), blank=True, **text_limit(DESCRIPTION_MAX_LENGTH)
    )
    external_id = models.CharField(
        _("externe Kennung"),
        max_length=64,
        blank=True,
        help_text=_("Kennung aus einem Import, damit ein erneuter Import nichts verdoppelt."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Akteur")
        verbose_name_plural = _("Akteure")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "external_id"],
                condition=~Q(external_id=""),
                name="actor_unique_external_id_per_district",
            )
        ]
        indexes = [models.Index(fields=["district", "name"], name="actor_district_name_idx")]

    def __str__(self) -> str:
        return self.name


class ContactPerson(TimeStampedModel):
    """An Ansprechperson at an actor."""

    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="contact_persons", verbose_name=_("Akteur")
    )
    name = models.CharField(_("Name"), max_length=200)
    role = models.CharField(_("Funktion"), max_length=200, blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True, validators=[PHONE_VALIDATOR])
    email = models.EmailField(_("E-Mail"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Ansprechperson")
        verbose_name_plural = _("Ansprechpersonen")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.actor})" if self.actor_id else self.name
