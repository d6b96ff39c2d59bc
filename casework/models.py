"""Actors of the network, clients, cases and everything recorded inside a case.

Invariants the database can hold are constraints here; rules that need the
clock or other rows live in `clean()` (for forms and the admin) and in
`services.py` (for everything that writes).
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Upper
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kim.models import TimeStampedModel

from .lifecycle import CASE_IS_CLOSED, OPEN_PHASES, Phase
from .names import search_key

MUNICIPALITY_OUTSIDE_CASE_DISTRICT = _(
    "Die Kommune liegt nicht im Kreis des Falls. "
    "Für einen Umzug in einen anderen Kreis wird dort ein neuer Fall eröffnet."
)
DATE_OF_BIRTH_IN_FUTURE = _("Das Geburtsdatum darf nicht in der Zukunft liegen.")
DATE_OF_BIRTH_TOO_OLD = _("Bitte prüfen Sie das Geburtsdatum: es liegt mehr als 120 Jahre zurück.")
VALID_UNTIL_BEFORE_GIVEN = _("„Gültig bis“ darf nicht vor dem Datum der Einwilligung liegen.")
WITHDRAWN_BEFORE_GIVEN = _("Der Widerruf darf nicht vor dem Datum der Einwilligung liegen.")
DATE_IN_FUTURE = _("Das Datum darf nicht in der Zukunft liegen.")
CONTACT_PERSON_OF_OTHER_ACTOR = _("Die Ansprechperson gehört nicht zu diesem Akteur.")
ENTRY_BEFORE_CASE_OPENED = _("Das Datum darf nicht vor der Eröffnung des Falls liegen.")
ENTRY_AFTER_CASE_CLOSED = _("Das Datum darf nicht nach dem Abschluss des Falls liegen.")
POSTAL_CODE_INVALID = _("Die Postleitzahl besteht aus genau 5 Ziffern, z. B. 48653.")
PHONE_INVALID = _("Bitte geben Sie eine Telefonnummer nur mit Ziffern, Leerzeichen und + ( ) / - ein.")

POSTAL_CODE_VALIDATOR = RegexValidator(r"^\d{5}$", POSTAL_CODE_INVALID)
PHONE_VALIDATOR = RegexValidator(r"^\+?[\d\s()/\-]{3,50}$", PHONE_INVALID)


class VersionedModel(models.Model):
    """A row two people may edit at once: every save through the services counts `version`
    up, and a save that started from an older version is refused (casework/concurrency.py)."""

    version = models.PositiveIntegerField(_("Version"), default=1, editable=False)

    class Meta:
        abstract = True


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
    description = models.TextField(_("Angebot / Beschreibung"), blank=True)
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


# --- People --------------------------------------------------------------------------


class Gender(models.TextChoices):
    FEMALE = "f", _("weiblich")
    MALE = "m", _("männlich")
    DIVERSE = "d", _("divers")
    UNSPECIFIED = "x", _("ohne Angabe")


class ResidenceStatus(models.TextChoices):
    GERMAN = "german", _("deutsche Staatsangehörigkeit")
    EU = "eu", _("EU-Freizügigkeit")
    SETTLEMENT = "settlement", _("Niederlassungserlaubnis / Daueraufenthalt")
    TEMPORARY = "temporary", _("befristete Aufenthaltserlaubnis")
    TEMPORARY_PROTECTION = "temporary_protection", _("vorübergehender Schutz (§ 24 AufenthG)")
    GESTATTUNG = "gestattung", _("Aufenthaltsgestattung (Asylverfahren)")
    DULDUNG = "duldung", _("Duldung")
    UNCLEAR = "unclear", _("ungeklärt")


# Statuses that run out: the case warns when `residence_valid_until` comes near.
EXPIRING_RESIDENCE_STATUSES = (
    ResidenceStatus.TEMPORARY,
    ResidenceStatus.TEMPORARY_PROTECTION,
    ResidenceStatus.GESTATTUNG,
    ResidenceStatus.DULDUNG,
)


class HouseholdRole(models.TextChoices):
    HEAD = "head", _("Hauptperson")
    PARTNER = "partner", _("Partner/in")
    CHILD = "child", _("Kind")
    RELATIVE = "relative", _("weitere/r Angehörige/r")
    OTHER = "other", _("sonstige Person")


class Household(TimeStampedModel):
    """A Bedarfsgemeinschaft or family supported together."""

    name = models.CharField(_("Bezeichnung"), max_length=200, help_text=_("Zum Beispiel „Familie Yılmaz“."))
    municipality = models.ForeignKey(
        "regions.Municipality",
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("Wohnort"),
    )

    class Meta:
        verbose_name = _("Haushalt / Familie")
        verbose_name_plural = _("Haushalte / Familien")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if kwargs.get("update_fields") is None:
            self.cases.update(search_name=search_key(self.name))


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user):
        from accounts.roles import restrict_clients

        return restrict_clients(self, user)


class Client(VersionedModel, TimeStampedModel):
    """A person supported by KIM. Only what casework needs is kept."""

    first_name = models.CharField(_("Vorname"), max_length=100)
    last_name = models.CharField(_("Nachname"), max_length=100)
    date_of_birth = models.DateField(_("Geburtsdatum"), null=True, blank=True)
    gender = models.CharField(
        _("Geschlecht"), max_length=1, choices=Gender.choices, default=Gender.UNSPECIFIED
    )
    nationality = CountryField(_("Staatsangehörigkeit"), blank=True)
    languages = models.CharField(
        _("Sprachen"), max_length=200, blank=True, help_text=_("Zum Beispiel „Arabisch, Kurdisch“.")
    )
    needs_interpreter = models.BooleanField(_("Dolmetschung nötig"), default=False)
    residence_status = models.CharField(
        _("Aufenthaltsstatus"),
        max_length=30,
        choices=ResidenceStatus.choices,
        default=ResidenceStatus.UNCLEAR,
    )
    residence_valid_until = models.DateField(
        _("Aufenthaltstitel / Duldung gültig bis"), null=True, blank=True
    )
    legal_frameworks = models.ManyToManyField(
        LegalFramework, blank=True, related_name="clients", verbose_name=_("Rechtskreise")
    )
    municipality = models.ForeignKey(
        "regions.Municipality",
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("Wohnort"),
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=5, blank=True, validators=[POSTAL_CODE_VALIDATOR])
    phone = models.CharField(_("Telefon"), max_length=50, blank=True, validators=[PHONE_VALIDATOR])
    email = models.EmailField(_("E-Mail"), blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("Haushalt / Familie"),
    )
    household_role = models.CharField(
        _("Rolle im Haushalt"), max_length=20, choices=HouseholdRole.choices, blank=True
    )
    external_id = models.CharField(_("externe Kennung"), max_length=64, blank=True)
    anonymised_at = models.DateTimeField(_("anonymisiert am"), null=True, blank=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("Klient/in")
        verbose_name_plural = _("Klient/innen")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="client_name_idx"),
            # The admin's "=external_id" search compares upper case. Name searches: trigram
            # indexes on PostgreSQL (migration 0006).
            models.Index(Upper("external_id"), name="client_external_id_upper_idx"),
            models.Index(fields=["date_of_birth"], name="client_birth_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="client_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if kwargs.get("update_fields") is None:
            # Partial saves (household moves, retention) leave the name alone or, anonymising
            # it, clear the cases' key themselves (privacy.inventory).
            self.cases.update(search_name=self.search_key)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def search_key(self) -> str:
        return "" if self.anonymised_at else search_key(self.last_name, self.first_name)

    def residence_expires_within(self, days: int, *, today: dt.date | None = None) -> bool:
        if not self.residence_valid_until or self.residence_status not in EXPIRING_RESIDENCE_STATUSES:
            return False
        today = today or timezone.localdate()
        return self.residence_valid_until <= today + dt.timedelta(days=days)

    def clean(self) -> None:
        super().clean()
        if self.date_of_birth:
            today = timezone.localdate()
            if self.date_of_birth > today:
                raise ValidationError({"date_of_birth": DATE_OF_BIRTH_IN_FUTURE})
            if self.date_of_birth < today.replace(year=today.year - 120):
                raise ValidationError({"date_of_birth": DATE_OF_BIRTH_TOO_OLD})


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
            raise ValidationError({field: ENTRY_BEFORE_CASE_OPENED})
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
    note = models.TextField(_("Bemerkung"), blank=True)

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
    note = models.TextField(_("Bemerkung"), blank=True)

    class Meta:
        verbose_name = _("Fallübergabe")
        verbose_name_plural = _("Fallübergaben")
        ordering = ["assigned_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_manager or '–'} → {self.to_manager or '–'}"


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
    note = models.TextField(_("Notiz"), blank=True)

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
    description = models.TextField(_("Beschreibung / Schritte"), blank=True)
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


class Referral(CaseEntry):
    """A Vermittlung of the client to an actor of the network."""

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
    outcome = models.TextField(_("Ergebnis"), blank=True)
    consent = models.ForeignKey(
        "Consent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("Einwilligung"),
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
            # The statistics: a scope's referrals in a period, by status and actor.
            models.Index(
                fields=["case", "referred_on"], include=["status", "actor"], name="referral_case_date_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.referred_on:%d.%m.%Y})" if self.actor_id else ""

    def clean(self) -> None:
        super().clean()
        if self.contact_person_id and self.contact_person.actor_id != self.actor_id:
            raise ValidationError({"contact_person": CONTACT_PERSON_OF_OTHER_ACTOR})
        if self.case_id and self.referred_on:
            self.case.check_entry_date("referred_on", self.referred_on)
        if self.case_id and self.actor_id and self.referred_on:
            # Data goes to the actor only with a consent or a legal basis: casework/consent.py.
            from .consent import check_referral_basis

            check_referral_basis(
                case=self.case,
                actor=self.actor,
                consent=self.consent,
                legal_basis=self.legal_basis,
                on=self.referred_on,
                status=self.status,
            )


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
        return not self.is_done and self.due_on < (today or timezone.localdate())


def private_document_storage() -> FileSystemStorage:
    # No base_url: these files are never served directly, only through a view
    # that checks access to the case.
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


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


class Consent(CaseEntry):
    """An Einwilligung: for a purpose, to named actors, for named data categories."""

    purpose = models.TextField(_("Zweck"))
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


class SubmitToken(models.Model):
    """A form sent once: the one-time token of a create form, stored in the transaction of
    its write, so a double click or a reload creates one row, not two (casework/submit_once.py)."""

    token = models.UUIDField(_("Token"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Benutzer/in"),
    )
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, db_index=True)
    # Where the first submit led (a path of this site), for the repeated one.
    result_path = models.CharField(_("Ergebnisseite"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Formular-Token")
        verbose_name_plural = _("Formular-Token")

    def __str__(self) -> str:
        return str(self.token)
