"""The deletion log: which retention rule removed how much of whose data, by id only."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeletionLog(models.Model):
    """One client's (or household's) data removed by a retention run.

    Holds ids, counts per kind and field, and the rule applied; never a name or any other
    value that was deleted, so the log itself needs no deletion. Dry runs write nothing.
    """

    run_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now, db_index=True)
    # Plain ids, no foreign keys: the log can never join its way back to personal values.
    client_id = models.PositiveBigIntegerField(_("Klient/in (ID)"), null=True, blank=True, db_index=True)
    household_id = models.PositiveBigIntegerField(_("Haushalt (ID)"), null=True, blank=True, db_index=True)
    deleted = models.JSONField(
        _("gelöscht"),
        default=dict,
        help_text=_("Je Art der Daten die Anzahl gelöschter Einträge je Feld."),
    )
    rules = models.JSONField(
        _("angewandte Regeln"),
        default=dict,
        help_text=_("Je Art der Daten die Frist in Jahren und der Tag, ab dem sie abgelaufen war."),
    )
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ausgelöst von"),
    )

    class Meta:
        verbose_name = _("Löschprotokoll")
        verbose_name_plural = _("Löschprotokoll")
        ordering = ["-run_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(client_id__isnull=False) | models.Q(household_id__isnull=False),
                name="deletionlog_names_client_or_household",
            )
        ]

    def __str__(self) -> str:
        subject = f"Klient/in {self.client_id}" if self.client_id else f"Haushalt {self.household_id}"
        return f"{self.run_at:%d.%m.%Y %H:%M} {subject}"

    @property
    def total(self) -> int:
        return sum(sum(counts.values()) for counts in self.deleted.values())
