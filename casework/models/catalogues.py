"""Catalogues maintained by administrators: topics, actor types, closure reasons, legal
frameworks, data categories."""

from collections.abc import Iterable

from django.db import models
from django.db.models import F
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext_lazy as _

from kim.models import TimeStampedModel

# --- Catalogues maintained by administrators -------------------------------------------


class CatalogueEntry(TimeStampedModel):
    """A value administrators maintain; deactivated rather than deleted once in use."""

    name = models.CharField(_("Bezeichnung"), max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=100)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Topic(CatalogueEntry):
    """A Handlungsfeld: Sprache, Bildung, Arbeit, Wohnen, Gesundheit, ..."""

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("Handlungsfeld")
        verbose_name_plural = _("Handlungsfelder")


class ActorType(CatalogueEntry):
    class Meta(CatalogueEntry.Meta):
        verbose_name = _("Akteursart")
        verbose_name_plural = _("Akteursarten")


class ClosureReason(CatalogueEntry):
    class Meta(CatalogueEntry.Meta):
        verbose_name = _("Abschlussgrund")
        verbose_name_plural = _("Abschlussgründe")


# Case.legal_framework_bits is a signed 64-bit integer: positions 0 to 62. The catalogue holds
# a handful of legal frameworks; one beyond 63 would go without a bit, and the case list then
# reads the links for it.
LEGAL_FRAMEWORK_BIT_LIMIT = 63


def legal_framework_bits(positions: Iterable[int | None]) -> int:
    """Case.legal_framework_bits for frameworks at these positions (LegalFramework.bit)."""
    bits = 0
    for position in positions:
        if position is not None:
            bits |= 1 << position
    return bits


def has_legal_framework_bit(bit: int) -> GreaterThan:
    """The condition that a case has the legal framework at this position (LegalFramework.bit):
    for the case list's filter and the statistics' counts, read from the indexes that carry
    Case.legal_framework_bits."""
    return GreaterThan(F("legal_framework_bits").bitand(1 << bit), 0)


class LegalFramework(CatalogueEntry):
    """A Rechtskreis (SGB II, SGB III, ..., AsylbLG, AufenthG, keiner)."""

    code = models.SlugField(_("Kürzel"), max_length=20, unique=True)
    # Its position in Case.legal_framework_bits: the lowest free one, given once on creation
    # and never changed (the cases' bits are written with it). A framework in use cannot be
    # deleted in the admin (LegalFrameworkAdmin.in_use), so no case keeps a freed position.
    bit = models.PositiveSmallIntegerField(_("Bit"), null=True, blank=True, unique=True, editable=False)

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("Rechtskreis")
        verbose_name_plural = _("Rechtskreise")

    def save(self, *args, **kwargs):
        if self._state.adding and self.bit is None:
            taken = set(LegalFramework.objects.exclude(bit=None).values_list("bit", flat=True))
            self.bit = next((bit for bit in range(LEGAL_FRAMEWORK_BIT_LIMIT) if bit not in taken), None)
        super().save(*args, **kwargs)


class DataCategory(CatalogueEntry):
    """A category of personal data that a consent may cover."""

    is_special_category = models.BooleanField(
        _("besondere Kategorie (Art. 9 DSGVO)"),
        default=False,
        help_text=_("Zum Beispiel Gesundheitsdaten."),
    )

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("Datenkategorie")
        verbose_name_plural = _("Datenkategorien")
