"""The audit trail: who read, created, changed, deleted or exported which piece of social data.

Entries name objects by type and id (and a case's reference number), never by a
person's name, and list the names of changed fields, never their values: the
trail itself holds no personal data of clients and needs no purging with them.
"""

from django.conf import settings
from django.db import connections, models
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

    def object_types(self) -> list[str]:
        """The object types the trail holds, read along the (object_type, object_id, at) index.

        On PostgreSQL a loose index scan: one index probe per type (a few dozen), where
        `SELECT DISTINCT` would read all of the tens of millions of entries.
        """
        if self.db and connections[self.db].vendor != "postgresql":
            return list(self.model.objects.order_by().values_list("object_type", flat=True).distinct())
        table = self.model._meta.db_table
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"WITH RECURSIVE t(v) AS (SELECT min(object_type) FROM {table} UNION ALL "
                f"SELECT (SELECT min(object_type) FROM {table} WHERE object_type > t.v) FROM t "
                "WHERE t.v IS NOT NULL) SELECT v FROM t WHERE v IS NOT NULL"
            )
            return [row[0] for row in cursor.fetchall()]


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
            # The stored name is searched only for accounts that no longer exist (their entries
            # keep the name, the user is NULL): a small index instead of a scan of the trail.
            models.Index(
                fields=["username", "at"],
                condition=models.Q(user__isnull=True),
                name="audit_deleted_user_idx",
            ),
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
