"""What is recorded inside a case: contacts, goals, referrals, follow-ups, documents."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kim.models import DESCRIPTION_MAX_LENGTH, NOTE_MAX_LENGTH, TimeStampedModel, text_limit

from .base import CONTACT_PERSON_OF_OTHER_ACTOR, DATE_IN_FUTURE, VersionedModel
from .cases import Case
from .catalogues import Topic
from .network import Actor, ContactPerson

# --- Inside a case -------------------------------------------------------------------


class CaseEntry(TimeStampedModel):
    """Something recorded inside a case. A closed case takes no new entries."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name=_("Fall")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erfasst von"),
        editable=False,
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self._state.adding and self.case_id:
            self.case.ensure_accepts_entries()


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("persönlich")
    PHONE = "phone", _("telefonisch")
    VIDEO = "video", _("Video")
    EMAIL = "email", _("E-Mail / Brief")
    MESSENGER = "messenger", _("Messenger")
    OUTREACH = "outreach", _("aufsuchend / Hausbesuch")
    ACCOMPANIMENT = "accompaniment", _("Begleitung zu einer Stelle")


class Contact(CaseEntry):
    """A Kontakt or Beratungsgespräch."""

    contacted_on = models.DateField(_("Datum"), default=timezone.localdate)
    channel = models.CharField(_("Kontaktart"), max_length=20, choices=Channel.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        _("Dauer (Minuten)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="contacts", verbose_name=_("Themen"))
    with_interpreter = models.BooleanField(_("mit Dolmetschung"), default=False)
    note = models.TextField(_("Notiz"), blank=True, **text_limit(NOTE_MAX_LENGTH))

    class Meta:
        verbose_name = _("Kontakt")
        verbose_name_plural = _("Kontakte")
        ordering = ["-contacted_on", "-id"]
        indexes = [
            # A case's contacts by date, with the channel the statistics count by; read backwards,
            # the case page's newest contacts in timeline order (no sort of a case's every contact).
            models.Index(
                fields=["case", "contacted_on", "created_at", "id"],
                include=["channel"],
                name="contact_case_timeline_idx",
            ),
            # The newest contacts first, as the admin lists them.
            models.Index(fields=["contacted_on", "id"], name="contact_date_idx"),
            models.Index(fields=["created_by", "contacted_on"], name="contact_author_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=600),
                name="contact_duration_1_to_600",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contacted_on:%d.%m.%Y} {self.get_channel_display()}"

    def clean(self) -> None:
        super().clean()
        if self.contacted_on and self.contacted_on > timezone.localdate():
            raise ValidationError({"contacted_on": DATE_IN_FUTURE})
        if self.contacted_on and self.case_id:
            self.case.check_entry_date("contacted_on", self.contacted_on)


class GoalStatus(models.TextChoices):
    OPEN = "open", _("offen")
    IN_PROGRESS = "in_progress", _("in Arbeit")
    ACHIEVED = "achieved", _("erreicht")
    PARTLY_ACHIEVED = "partly", _("teilweise erreicht")
    NOT_ACHIEVED = "not_achieved", _("nicht erreicht")
    DROPPED = "dropped", _("verworfen")


class Goal(VersionedModel, CaseEntry):
    """A goal agreed with the client (Zielvereinbarung)."""

    title = models.CharField(_("Ziel"), max_length=200)
    description = models.TextField(
        _("Beschreibung / Schritte"), blank=True, **text_limit(DESCRIPTION_MAX_LENGTH)
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("Handlungsfeld"),
    )
    status = models.CharField(_("Status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    target_date = models.DateField(_("Zieldatum"), null=True, blank=True)

    class Meta:
        verbose_name = _("Ziel")
        verbose_name_plural = _("Ziele")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class GoalStatusChange(models.Model):
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("Ziel")
    )
    from_status = models.CharField(_("von"), max_length=20, choices=GoalStatus.choices, blank=True)
    to_status = models.CharField(_("nach"), max_length=20, choices=GoalStatus.choices)
    changed_at = models.DateTimeField(_("am"), default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("durch"),
    )

    class Meta:
        verbose_name = _("Statuswechsel eines Ziels")
        verbose_name_plural = _("Statuswechsel von Zielen")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '–'} → {self.get_to_status_display()}"


class ReferralStatus(models.TextChoices):
    PLANNED = "planned", _("geplant")
    REFERRED = "referred", _("vermittelt")
    TAKEN_UP = "taken_up", _("angenommen / wahrgenommen")
    DECLINED = "declined", _("abgelehnt")
    CANCELLED = "cancelled", _("abgebrochen")
    COMPLETED = "completed", _("abgeschlossen")


class Referral(VersionedModel, CaseEntry):
    """A Vermittlung of the client to an actor of the network. Its Rückmeldung and later steps
    are ReferralStatusChanges (services.referral_set_status)."""

    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("Akteur")
    )
    contact_person = models.ForeignKey(
        ContactPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("Ansprechperson"),
    )
    topic = models.ForeignKey(
        Topic,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("Handlungsfeld"),
    )
    referred_on = models.DateField(_("vermittelt am"), default=timezone.localdate)
    status = models.CharField(
        _("Status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED
    )
    outcome = models.TextField(_("Ergebnis"), blank=True, **text_limit(NOTE_MAX_LENGTH))
    # The day of the first Rückmeldung (angenommen, abgelehnt, abgebrochen, abgeschlossen): the
    # statistics' time to response; none while the referral waits for one.
    responded_on = models.DateField(_("Rückmeldung am"), null=True, blank=True, editable=False)
    consent = models.ForeignKey(
        "Consent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("Einwilligung"),
    )
    # What the referral passes on: a consent must cover each of these categories for the actor
    # (casework/consent.py), or the legal basis must be documented.
    data_categories = models.ManyToManyField(
        "DataCategory",
        blank=True,
        related_name="referrals",
        verbose_name=_("weitergegebene Datenkategorien"),
    )
    legal_basis = models.CharField(
        _("Rechtsgrundlage der Datenübermittlung"),
        max_length=300,
        blank=True,
        help_text=_("Nur wenn keine Einwilligung vorliegt, z. B. eine gesetzliche Befugnis."),
    )

    class Meta:
        verbose_name = _("Vermittlung")
        verbose_name_plural = _("Vermittlungen")
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["actor", "referred_on"], name="referral_actor_date_idx"),
            # The statistics: a scope's referrals in a period, by status and actor, with the day of
            # their Rückmeldung (time to response), read from the index alone.
            models.Index(
                fields=["case", "referred_on"],
                include=["status", "actor", "responded_on"],
                name="referral_case_date_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.referred_on:%d.%m.%Y})" if self.actor_id else ""

    def clean(self) -> None:
        super().clean()
        contact_person = self.contact_person if self.contact_person_id else None
        if contact_person is not None and contact_person.actor_id != self.actor_id:
            raise ValidationError({"contact_person": CONTACT_PERSON_OF_OTHER_ACTOR})
        if self.case_id and self.referred_on:
            self.case.check_entry_date("referred_on", self.referred_on)
        if self.case_id and self.actor_id and self.referred_on:
            # Data goes to the actor only with a consent or a legal basis: casework/consent.py.
            from ..consent import check_referral_basis

            check_referral_basis(
                case=self.case,
                actor=self.actor,
                consent=self.consent,
                legal_basis=self.legal_basis,
                on=self.referred_on,
                status=self.status,
            )


class ReferralStatusChange(models.Model):
    """A referral's Rückmeldung or next step: from which status to which, on which day, the
    outcome note and who recorded it. Written only by services.referral_set_status."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("Vermittlung")
    )
    from_status = models.CharField(_("von"), max_length=20, choices=ReferralStatus.choices)
    to_status = models.CharField(_("nach"), max_length=20, choices=ReferralStatus.choices)
    changed_on = models.DateField(_("Datum der Rückmeldung"))
    note = models.TextField(_("Ergebnis / Bemerkung"), blank=True, **text_limit(NOTE_MAX_LENGTH))
    changed_at = models.DateTimeField(_("erfasst am"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("erfasst von"),
    )

    class Meta:
        verbose_name = _("Rückmeldung zu einer Vermittlung")
        verbose_name_plural = _("Rückmeldungen zu Vermittlungen")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


def overdue_q(today: dt.date, *, prefix: str = "") -> Q:
    """Follow-ups overdue on `today` as a query: not done and due before the day. The one
    definition of "overdue" (`FollowUp.is_overdue` is the same rule for one row, and a test
    keeps the two in step); `prefix` reaches the follow-ups through a relation."""
    return Q(**{f"{prefix}done_at__isnull": True, f"{prefix}due_on__lt": today})


def overdue_sql(alias: str) -> str:
    """`overdue_q` for statements written by hand: the condition on the follow-up table named
    `alias`, with the day as its one parameter."""
    return f"{alias}.done_at IS NULL AND {alias}.due_on < %s"


class FollowUpQuerySet(models.QuerySet):
    def overdue(self, today: dt.date) -> "FollowUpQuerySet":
        return self.filter(overdue_q(today))


class FollowUp(CaseEntry):
    """A Wiedervorlage: something to come back to by a due date."""

    title = models.CharField(_("Aufgabe"), max_length=200)
    due_on = models.DateField(_("fällig am"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("zuständig"),
    )
    done_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erledigt von"),
    )
    # Closing the case decided it "entfällt" (done_at is set too: it is no longer open work).
    dropped = models.BooleanField(_("entfallen"), default=False)
    # Handed to a colleague when the case was closed: still open, still on their Mein Arbeitsplatz.
    continues_after_closing = models.BooleanField(_("nach Abschluss weitergeführt"), default=False)
    # The case's district, copied on save (a case never leaves its district: Case.clean), so
    # "Wiedervorlage überfällig" reads one district's open follow-ups from an index instead of
    # the open follow-ups of every district. Writers that bypass save() set it themselves.
    district = models.ForeignKey(
        "regions.District",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Kreis"),
        editable=False,
        db_index=False,  # followup_district_open_due_idx leads with it
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("Wiedervorlage")
        verbose_name_plural = _("Wiedervorlagen")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["assigned_to", "done_at", "due_on"], name="followup_assignee_due_idx"),
            # The open follow-ups by due date, with their case: "Wiedervorlage überfällig".
            models.Index(
                fields=["due_on"],
                include=["case"],
                condition=Q(done_at__isnull=True),
                name="followup_open_due_idx",
            ),
            models.Index(fields=["case", "done_at", "due_on"], name="followup_case_due_idx"),
            # The same per district: the case list's "Wiedervorlage überfällig" for a team.
            models.Index(
                fields=["district", "due_on"],
                include=["case"],
                condition=Q(done_at__isnull=True),
                name="followup_district_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.case_id is not None and (update_fields is None or "case" in update_fields):
            self.district_id = self.case.district_id
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, "district"]
        super().save(*args, **kwargs)

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: dt.date | None = None) -> bool:
        # The rule of overdue_q, for one row.
        return not self.is_done and self.due_on < (today or timezone.localdate())


def private_document_storage() -> Storage:
    # STORAGES["documents"]: the private media folder (no base_url: never served directly, only
    # through a view that checks access to the case) or an S3-compatible store (settings.py).
    return storages["documents"]


def document_upload_path(document: "Document", filename: str) -> str:
    # The client's name must not end up in a path on disk; keep only the suffix.
    suffix = "".join(ch for ch in filename.rsplit(".", 1)[-1][:10] if ch.isalnum()) if "." in filename else ""
    stamp = timezone.now().strftime("%Y/%m")
    name = timezone.now().strftime("%Y%m%d%H%M%S%f")
    return f"cases/{stamp}/{document.case_id}-{name}{'.' + suffix.lower() if suffix else ''}"


class Document(CaseEntry):
    title = models.CharField(_("Titel"), max_length=200)
    file = models.FileField(
        _("Datei"), upload_to=document_upload_path, storage=private_document_storage, max_length=300
    )
    original_filename = models.CharField(_("ursprünglicher Dateiname"), max_length=255, blank=True)
    content_type = models.CharField(_("Dateityp"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("Größe (Bytes)"), default=0)

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
