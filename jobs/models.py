"""Work done outside the request: jobs a user started (imports, long exports) and the runs of
the scheduled work. Their state is in the database, so any app server shows it."""

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    IMPORT_DRY_RUN = "import_dry_run", _("Import-Probelauf")
    IMPORT = "import", _("Import")
    CASE_EXPORT = "case_export", _("Export der Fallliste")
    STATISTICS_EXPORT = "statistics_export", _("Export der Kennzahlen")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("wartet")
    RUNNING = "running", _("läuft")
    DONE = "done", _("fertig")
    FAILED = "failed", _("fehlgeschlagen")


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class Job(models.Model):
    """One import or export a user started. Only its owner sees it (jobs.selectors)."""

    # Random, so a job's address says nothing and cannot be guessed.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("Art"), max_length=30, choices=JobKind.choices)
    status = models.CharField(
        _("Status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("gestartet von"),
    )
    # What the task needs to redo the request: import kind and district, filters, scope (ids only).
    params = models.JSONField(_("Parameter"), default=dict, blank=True)
    # The file names the user gave or gets; file contents live in the storage under `*_file`.
    input_name = models.CharField(_("hochgeladene Datei"), max_length=200, blank=True)
    input_file = models.CharField(_("Ablage der hochgeladenen Datei"), max_length=300, blank=True)
    output_name = models.CharField(_("Dateiname zum Herunterladen"), max_length=200, blank=True)
    output_file = models.CharField(_("Ablage der Ergebnisdatei"), max_length=300, blank=True)
    output_type = models.CharField(_("Dateityp"), max_length=100, blank=True)
    progress_done = models.PositiveIntegerField(_("erledigt"), default=0)
    progress_total = models.PositiveIntegerField(_("gesamt"), default=0)
    # The outcome: an import's report (row numbers, external ids, messages), an export's count.
    result = models.JSONField(_("Ergebnis"), default=dict, blank=True)
    error = models.TextField(
        _("Fehler"), blank=True, max_length=10000, validators=[MaxLengthValidator(10000)]
    )
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("begonnen am"), null=True, blank=True)
    finished_at = models.DateTimeField(_("beendet am"), null=True, blank=True)
    expires_at = models.DateTimeField(_("Dateien löschen ab"), db_index=True)

    class Meta:
        verbose_name = _("Hintergrundauftrag")
        verbose_name_plural = _("Hintergrundaufträge")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class RunOutcome(models.TextChoices):
    RUNNING = "running", _("läuft")
    OK = "ok", _("erfolgreich")
    SKIPPED = "skipped", _("übersprungen (läuft schon)")
    FAILED = "failed", _("fehlgeschlagen")


class ScheduledRun(models.Model):
    """One run of a scheduled task: when, and what came of it (counts, never names)."""

    task = models.CharField(_("Aufgabe"), max_length=60, db_index=True)
    started_at = models.DateTimeField(_("begonnen am"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("beendet am"), null=True, blank=True)
    outcome = models.CharField(
        _("Ergebnis"), max_length=10, choices=RunOutcome.choices, default=RunOutcome.RUNNING
    )
    summary = models.TextField(
        _("Zusammenfassung"), blank=True, max_length=10000, validators=[MaxLengthValidator(10000)]
    )

    class Meta:
        verbose_name = _("Lauf einer geplanten Aufgabe")
        verbose_name_plural = _("Läufe geplanter Aufgaben")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task} {self.started_at:%d.%m.%Y %H:%M}"


class TaskLock(models.Model):
    """A lock held by a running task: the row exists while it runs (jobs.locks). A row whose
    `expires_at` passed belongs to a run that died, and the next run takes it over."""

    name = models.CharField(_("Name"), max_length=60, primary_key=True)
    holder = models.CharField(_("Inhaber"), max_length=64)
    acquired_at = models.DateTimeField(_("seit"), default=timezone.now)
    expires_at = models.DateTimeField(_("spätestens frei ab"))

    class Meta:
        verbose_name = _("Sperre")
        verbose_name_plural = _("Sperren")

    def __str__(self) -> str:
        return self.name
