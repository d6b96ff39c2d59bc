"""The audit trail: who read, created, changed, deleted or exported which piece of social data.

Entries name objects by type and id (and a case's reference number), never by a
person's name, and list the names of changed fields, never their values: the
trail itself holds no personal data of clients and needs no purging with them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("angesehen")
    CREATE = "create", _("angelegt")
    CHANGE = "change", _("geändert")
    DELETE = "delete", _("gelöscht")
    EXPORT = "export", _("exportiert")
    SEARCH = "search", _("gesucht")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit entries cannot be changed.")

    def delete(self):
        raise PermissionError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    """One access to client or case data. Append-only."""

    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Benutzer/in"),
        db_constraint=False,
        # Served by the (user, at) index below; a second index on user alone only slows inserts.
        db_index=False,
    )
    username = models.CharField(_("Benutzername"), max_length=150, blank=True)
    action = models.CharField(_("Aktion"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("Objektart"), max_length=60)
    object_id = models.CharField(_("Objekt-ID"), max_length=40, blank=True)
    case_reference = models.CharField(_("Aktenzeichen"), max_length=20, blank=True)
    fields = models.JSONField(_("geänderte Felder"), default=list, blank=True)
    detail = models.CharField(
        _("Hinweis"), max_length=200, blank=True, help_text=_("Ohne personenbezogene Daten.")
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx"),
            models.Index(fields=["user", "at"], name="audit_user_idx"),
            models.Index(fields=["case_reference"], name="audit_case_reference_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%d.%m.%Y %H:%M} {self.username} {self.get_action_display()} "
            f"{self.object_type} {self.object_id}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise PermissionError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries cannot be deleted.")
