"""Consents (Einwilligungen) recorded in a case."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kim.models import DESCRIPTION_MAX_LENGTH, text_limit

from .base import DATE_IN_FUTURE, VALID_UNTIL_BEFORE_GIVEN, WITHDRAWN_BEFORE_GIVEN
from .catalogues import DataCategory
from .entries import CaseEntry
from .network import Actor


def valid_on_q(day: dt.date | None = None, *, prefix: str = "") -> Q:
    """Consents valid on `day` as a query: given on or before it, not withdrawn on or before
    it, not run out. The one definition (`Consent.is_valid_on` is the same rule for one row,
    and a test keeps the two in step); `prefix` reaches the consents through a relation."""
    day = day or timezone.localdate()
    return (
        Q(**{f"{prefix}given_on__lte": day})
        & (Q(**{f"{prefix}withdrawn_on__isnull": True}) | Q(**{f"{prefix}withdrawn_on__gt": day}))
        & (Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gte": day}))
    )


class Consent(CaseEntry):
    """An Einwilligung: for a purpose, to named actors, for named data categories."""

    purpose = models.TextField(_("Zweck"), **text_limit(DESCRIPTION_MAX_LENGTH))
    actors = models.ManyToManyField(
        Actor, blank=True, related_name="consents", verbose_name=_("empfangende Stellen")
    )
    data_categories = models.ManyToManyField(
        DataCategory, blank=True, related_name="consents", verbose_name=_("Datenkategorien")
    )
    given_on = models.DateField(_("erteilt am"))
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)
    withdrawn_on = models.DateField(_("widerrufen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Einwilligung")
        verbose_name_plural = _("Einwilligungen")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("given_on")),
                name="consent_valid_until_after_given",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose[:60]} ({self.given_on:%d.%m.%Y})" if self.given_on else self.purpose[:60]

    def is_valid_on(self, day: dt.date | None = None) -> bool:
        # The rule of valid_on_q, for one row.
        day = day or timezone.localdate()
        if self.given_on > day:
            return False
        if self.withdrawn_on and self.withdrawn_on <= day:
            return False
        return not (self.valid_until and self.valid_until < day)

    def clean(self) -> None:
        super().clean()
        if self.given_on and self.given_on > timezone.localdate():
            raise ValidationError({"given_on": DATE_IN_FUTURE})
        if self.given_on and self.valid_until and self.valid_until < self.given_on:
            raise ValidationError({"valid_until": VALID_UNTIL_BEFORE_GIVEN})
        if self.given_on and self.withdrawn_on and self.withdrawn_on < self.given_on:
            raise ValidationError({"withdrawn_on": WITHDRAWN_BEFORE_GIVEN})
