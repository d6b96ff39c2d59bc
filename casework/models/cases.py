"""Cases, their phase changes and their case manager assignments."""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kim.models import NOTE_MAX_LENGTH, TimeStampedModel, text_limit

from ..lifecycle import CASE_IS_CLOSED, OPEN_PHASES, Phase
from ..names import search_key
from .base import (
    ENTRY_AFTER_CASE_CLOSED,
    ENTRY_BEFORE_CASE_OPENED,
    MUNICIPALITY_OUTSIDE_CASE_DISTRICT,
    VersionedModel,
)
from .catalogues import ClosureReason, LegalFramework, legal_framework_bits
from .people import Client, Household

# --- Cases ---------------------------------------------------------------------------


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        from accounts.roles import restrict_cases

        return restrict_cases(self, user)

    def open(self):
        return self.filter(phase__in=OPEN_PHASES)

    def refresh_legal_framework_bits(self) -> int:
        """Set these cases' legal_framework_bits from their links, in one statement: after the
        links were written in bulk (demo data). A case's links are distinct, so the sum of
        their bits is their union."""
        links = (
            Case.legal_frameworks.through.objects.filter(
                case=OuterRef("pk"), legalframework__bit__isnull=False
            )
            .order_by()
            .values("case")
            .annotate(
                bits=Sum(
                    Cast(Value(1), models.BigIntegerField()).bitleftshift(
                        Cast("legalframework__bit", models.IntegerField())
                    )
                )
            )
            .values("bits")
        )
        return self.update(legal_framework_bits=Coalesce(Subquery(links), 0))

    def with_header(self):
        """What every list or header of cases shows, fetched in the same query.

        Not the closure reason: only closed cases show it, and every joined table makes the
        planner's work grow (seven tables cost PostgreSQL 2.5 ms to plan, six 1.1 ms)."""
        return self.select_related("client", "household", "municipality__region", "case_manager")


# What the case list filters on most, carried in its indexes (see Case.Meta.indexes).
LIST_FILTER_COLUMNS = ["municipality", "phase", "case_manager", "client", "household", "legal_framework_bits"]


class Case(VersionedModel, TimeStampedModel):
    """The case management process for one client or one household."""

    reference = models.CharField(_("Aktenzeichen"), max_length=20, unique=True, editable=False)
    district = models.ForeignKey(
        "regions.District",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("Kreis"),
        editable=False,
    )
    year = models.PositiveSmallIntegerField(_("Jahr"), editable=False)
    sequence = models.PositiveIntegerField(_("laufende Nummer"), editable=False)
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("Klient/in"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("Haushalt / Familie"),
    )
    municipality = models.ForeignKey(
        "regions.Municipality",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("Kommune"),
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_cases",
        verbose_name=_("Case Manager/in"),
    )
    phase = models.CharField(
        _("Phase"), max_length=20, choices=Phase.choices, default=Phase.INTAKE, editable=False
    )
    legal_frameworks = models.ManyToManyField(
        LegalFramework, blank=True, related_name="cases", verbose_name=_("Rechtskreise")
    )
    # The legal frameworks again, as one bit per framework (`legal_framework_bits`), carried in
    # the case list's indexes: the list filters by a framework without looking up the links of
    # each case (a region's open cases: 2,700 look-ups, ~6 ms). The links stay the record;
    # `set_legal_frameworks` writes both.
    legal_framework_bits = models.BigIntegerField(
        _("Rechtskreise (Bits)"), default=0, db_default=0, editable=False
    )
    opened_on = models.DateField(_("eröffnet am"), default=timezone.localdate)
    # The client's or household's name in its searchable form (casework/names.py), kept here
    # so the case list finds a name with one index; Client.save and Household.save keep it current.
    search_name = models.CharField(_("Suchname"), max_length=255, blank=True, editable=False, db_default="")
    closed_on = models.DateField(_("abgeschlossen am"), null=True, blank=True, editable=False)
    closure_reason = models.ForeignKey(
        ClosureReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("Abschlussgrund"),
        editable=False,
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("Fall")
        verbose_name_plural = _("Fälle")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "sequence"], name="case_unique_sequence_per_district_year"
            ),
            models.CheckConstraint(
                condition=(Q(client__isnull=False) & Q(household__isnull=True))
                | (Q(client__isnull=True) & Q(household__isnull=False)),
                name="case_client_xor_household",
            ),
            models.CheckConstraint(
                condition=(
                    Q(phase=Phase.CLOSED, closed_on__isnull=False, closure_reason__isnull=False)
                    | (~Q(phase=Phase.CLOSED) & Q(closed_on__isnull=True))
                ),
                name="case_closed_iff_closure_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_not_before_opened",
            ),
        ]
        # The case list reads a district's cases in the order it shows them, filtering on the
        # included columns without visiting the table (index-only), so a page costs the same
        # at 60 or 60,000 cases. Name search: a trigram index (migration 0005, PostgreSQL).
        indexes = [
            models.Index(
                fields=["district", "opened_on", "id"],
                include=LIST_FILTER_COLUMNS,
                name="case_district_opened_idx",
            ),
            models.Index(
                fields=["district", "reference"],
                include=LIST_FILTER_COLUMNS,
                name="case_district_reference_idx",
            ),
            models.Index(
                fields=["district", "search_name", "id"],
                include=LIST_FILTER_COLUMNS,
                name="case_district_name_idx",
            ),
            # The statistics: a scope's cases by when they were open, with what they count.
            models.Index(
                fields=["district", "municipality", "opened_on", "id"],
                include=[
                    "closed_on",
                    "phase",
                    "closure_reason",
                    "client",
                    "household",
                    "legal_framework_bits",
                ],
                name="case_scope_opened_idx",
            ),
            # "meine Fälle", "nicht zugewiesen", a colleague's cases: one case manager's (or no
            # one's) cases of the district in list order, instead of ANDing bitmaps of the district.
            models.Index(
                fields=["district", "case_manager", "opened_on", "id"],
                include=["municipality", "phase"],
                name="case_district_manager_idx",
            ),
            models.Index(fields=["case_manager", "phase"], name="case_manager_phase_idx"),
            models.Index(fields=["case_manager", "opened_on", "id"], name="case_manager_opened_idx"),
            # A region's or municipality's cases in a phase ("alle offenen"), with or without a
            # legal framework: a few short ranges read from the index alone. Without it PostgreSQL
            # ANDs a municipality bitmap with the whole district's and reads the table.
            models.Index(
                fields=["municipality", "phase", "opened_on", "id"],
                include=["district", "case_manager", "legal_framework_bits"],
                name="case_municipality_phase_idx",
            ),
            models.Index(fields=["phase", "opened_on"], name="case_phase_opened_idx"),
            models.Index(fields=["opened_on", "id"], name="case_opened_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        subject_written = update_fields is None or {"client", "household"} & set(update_fields)
        if subject_written and (self.client_id or self.household_id):
            self.search_name = self.subject.search_key if self.client_id else search_key(self.subject.name)
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, "search_name"]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    def check_entry_date(self, field: str, day: dt.date) -> None:
        """A contact or referral is dated while the case is open: not before its opening, not
        after its closing. The statistics rely on it: they look for a period's contacts and
        referrals only in the cases open in that period (reporting.selectors)."""
        if day < self.opened_on:
            raise ValidationError(
                {field: ENTRY_BEFORE_CASE_OPENED % {"opened_on": f"{self.opened_on:%d.%m.%Y}"}}
            )
        if self.closed_on is not None and day > self.closed_on:
            raise ValidationError({field: ENTRY_AFTER_CASE_CLOSED})

    def entry_dates(self) -> tuple[dt.date | None, dt.date | None]:
        """The earliest and the latest date of the case's contacts and referrals."""
        contacts = self.contacts.aggregate(first=models.Min("contacted_on"), last=models.Max("contacted_on"))
        referrals = self.referrals.aggregate(first=models.Min("referred_on"), last=models.Max("referred_on"))
        firsts = [day for day in (contacts["first"], referrals["first"]) if day is not None]
        lasts = [day for day in (contacts["last"], referrals["last"]) if day is not None]
        return (min(firsts) if firsts else None, max(lasts) if lasts else None)

    def set_legal_frameworks(self, frameworks: Iterable[LegalFramework]) -> None:
        """The case's legal frameworks, in its links and in its bits."""
        frameworks = list(frameworks)
        self.legal_frameworks.set(frameworks)
        self.legal_framework_bits = legal_framework_bits(framework.bit for framework in frameworks)
        Case.objects.filter(pk=self.pk).update(legal_framework_bits=self.legal_framework_bits)

    def refresh_legal_framework_bits(self) -> None:
        """The bits from the links, after the links were written another way (a form's save_m2m)."""
        Case.objects.filter(pk=self.pk).refresh_legal_framework_bits()
        self.refresh_from_db(fields=["legal_framework_bits"])

    def clean(self) -> None:
        super().clean()
        # A case belongs to the district its reference number comes from; moving a person to
        # another district means a new case there.
        if (
            self.district_id
            and self.municipality_id
            and self.municipality.region.district_id != self.district_id
        ):
            raise ValidationError({"municipality": MUNICIPALITY_OUTSIDE_CASE_DISTRICT})

    @property
    def subject(self) -> Client | Household:
        """The client or household the case is about."""
        return self.client if self.client_id else self.household

    @property
    def region(self):
        return self.municipality.region

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.CLOSED

    def ensure_accepts_entries(self) -> None:
        if self.is_closed:
            raise ValidationError(CASE_IS_CLOSED)


class ClientOutcome(models.TextChoices):
    """The outcome for the person, recorded in the evaluation (DGCC: goals reviewed, outcome)."""

    IMPROVED = "improved", _("Lage deutlich verbessert")
    PARTLY_IMPROVED = "partly_improved", _("Lage teilweise verbessert")
    UNCHANGED = "unchanged", _("Lage unverändert")
    WORSE = "worse", _("Lage verschlechtert")
    NOT_ASSESSABLE = "not_assessable", _("nicht einschätzbar")


class PhaseChange(models.Model):
    """One step of a case through its lifecycle; written only by the services."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="phase_changes", verbose_name=_("Fall")
    )
    from_phase = models.CharField(_("von"), max_length=20, choices=Phase.choices, blank=True)
    to_phase = models.CharField(_("nach"), max_length=20, choices=Phase.choices)
    changed_at = models.DateTimeField(_("am"), default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("durch"),
    )
    closure_reason = models.ForeignKey(
        ClosureReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Abschlussgrund"),
    )
    note = models.TextField(_("Bemerkung"), blank=True, **text_limit(NOTE_MAX_LENGTH))
    # Entering Evaluation (or closing): how the person's situation developed.
    outcome = models.CharField(
        _("Ergebnis für die Person"), max_length=20, choices=ClientOutcome.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("Phasenwechsel")
        verbose_name_plural = _("Phasenwechsel")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_phase_display() or '–'} → {self.get_to_phase_display()}"


class CaseAssignment(models.Model):
    """A handover of a case from one case manager to another."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("Fall")
    )
    from_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bisher"),
    )
    to_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("neu"),
    )
    assigned_at = models.DateTimeField(_("am"), default=timezone.now, db_index=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("durch"),
    )
    note = models.TextField(_("Bemerkung"), blank=True, **text_limit(NOTE_MAX_LENGTH))
    # When the new case manager first opened the case: until then it is "neu übernommen" on
    # their Mein Arbeitsplatz.
    seen_at = models.DateTimeField(_("vom neuen Case Manager geöffnet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Fallübergabe")
        verbose_name_plural = _("Fallübergaben")
        ordering = ["assigned_at", "id"]
        indexes = [
            # "neu übernommen": a person's handovers not yet opened, few among many.
            models.Index(
                fields=["to_manager", "assigned_at"],
                condition=Q(seen_at__isnull=True),
                name="caseassignment_unseen_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_manager or '–'} → {self.to_manager or '–'}"
