"""Data-protection actions on client data: the Art. 15/20 export and the retention run.

Both walk the data inventory (privacy/inventory.py) instead of naming models, so a new
model with personal data that hangs off a client, case or household is exported and purged
without a change here.
"""

import datetime as dt
import functools
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from casework.lifecycle import Phase
from casework.models import Case, Client, Household

from .inventory import (
    CASE,
    CLIENT,
    CLIENT_IDENTITY,
    DELETED_TEXT,
    DOCUMENTS,
    HOUSEHOLD,
    NOTES,
    Treatment,
    client_data_models,
    client_link,
    entry_for,
    inventoried_models,
    model_fields,
    rows_for,
)
from .models import DeletionLog

# --- Right of access (Art. 15) and data portability (Art. 20) -------------------------------

EXPORT_TITLE = "Auskunft nach Art. 15 und Art. 20 DSGVO"
EXPORT_FORMAT_VERSION = 1
# Shown when some of the person's cases lie outside the exporting user's regions: the export
# holds only what the user may see, and says so rather than pretending to be complete.
EXPORT_INCOMPLETE = (
    "Zu dieser Person gibt es weitere Daten, die in einer anderen Teilregion geführt werden. "
    "Eine vollständige Auskunft erstellt die Administration."
)
RETENTION_KIND_LABELS = {
    DOCUMENTS: "Dokumente",
    NOTES: "Notizen und andere Freitexte",
    CLIENT_IDENTITY: "Name, Anschrift, Kontaktdaten und genaues Geburtsdatum",
}
# The anchors first, in the order a reader expects; then everything inside the cases.
_SECTION_ORDER = {"casework.client": 0, "casework.household": 1, "casework.case": 2}


def _subject_cases(client: Client) -> models.QuerySet:
    """The client's own cases and those of their household (as the client page shows them)."""
    subject = Q(client=client)
    if client.household_id:
        subject |= Q(household_id=client.household_id)
    return Case.objects.filter(subject)


def _export_value(obj: models.Model, model_field: models.Field):
    """A field's value as JSON: display labels for choices, ISO dates, names of related rows."""
    if model_field.many_to_many:
        return [str(related) for related in getattr(obj, model_field.name).all()]
    if model_field.is_relation:
        related = getattr(obj, model_field.name)
        return str(related) if related is not None else None
    if isinstance(model_field, models.FileField):
        return getattr(obj, model_field.name).name or ""
    value = model_field.value_from_object(obj)
    if model_field.choices and value not in (None, ""):
        display = getattr(obj, f"get_{model_field.name}_display", None)
        return str(display()) if display else str(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float, bool, str, dict, list)) or value is None:
        return value
    return str(value)


def _export_row(obj: models.Model) -> dict:
    row = {}
    for model_field in model_fields(type(obj)):
        label = capfirst(str(model_field.verbose_name))
        if label in row:  # two fields with one label: keep both apart
            label = f"{label} ({model_field.name})"
        row[label] = _export_value(obj, model_field)
    return row


def _export_queryset(model, *, client: Client, case_ids, household_ids) -> models.QuerySet:
    queryset = rows_for(model, client_ids=[client.pk], case_ids=case_ids, household_ids=household_ids)
    fields = model_fields(model)
    forward = [f.name for f in fields if f.is_relation and not f.many_to_many]
    many = [f.name for f in fields if f.many_to_many]
    return queryset.select_related(*forward).prefetch_related(*many).order_by(*model._meta.ordering, "pk")


def _recipients(case_ids) -> list[str]:
    """Bodies the client's data went to (Art. 15 (1) c): actors of referrals and consents."""
    from casework.models import Actor

    actors = Actor.objects.filter(
        Q(referrals__case_id__in=case_ids) | Q(consents__case_id__in=case_ids)
    ).distinct()
    return sorted(actor.name for actor in actors)


@transaction.atomic
def client_data_export(*, client: Client, by, channel: str = "json") -> dict:
    """Everything stored about one client, as a JSON-serialisable dict, and the audit entry.

    The export holds what `by` may see (all for `by=None`, e.g. a management command);
    `channel` ("json", "html") only goes into the audit entry.
    """
    cases = _subject_cases(client)
    visible = cases.visible_to(by) if by is not None else cases
    case_ids = list(visible.values_list("pk", flat=True))
    incomplete = cases.exclude(pk__in=case_ids).exists()
    household_ids = [client.household_id] if client.household_id else []
    data_models = sorted(
        client_data_models(), key=lambda model: _SECTION_ORDER.get(model._meta.label_lower, 9)
    )
    sections = []
    for model in data_models:
        rows = _export_queryset(model, client=client, case_ids=case_ids, household_ids=household_ids)
        sections.append(
            {
                "modell": model._meta.label_lower,
                "bezeichnung": _section_title(model),
                "eintraege": [_export_row(obj) for obj in rows],
            }
        )
    data = {
        "titel": EXPORT_TITLE,
        "formatversion": EXPORT_FORMAT_VERSION,
        "erstellt_am": timezone.localtime().isoformat(timespec="seconds"),
        "verantwortliche_stelle": _controller(client),
        "klient_id": client.pk,
        "vollstaendig": not incomplete,
        "hinweis": EXPORT_INCOMPLETE if incomplete else "",
        "empfaenger": _recipients(case_ids),
        "speicherdauer_jahre": {
            RETENTION_KIND_LABELS.get(kind, kind): years for kind, years in settings.KIM_RETENTION.items()
        },
        "abschnitte": sections,
    }
    audit_record(
        user=by,
        action=Action.EXPORT,
        obj=client,
        detail=f"Datenauskunft Art. 15/20 ({channel})",
    )
    return data


def _section_title(model) -> str:
    # The client and their household are one object each: "Klient/in", not "Klient/innen".
    single = model._meta.label_lower in ("casework.client", "casework.household")
    return capfirst(str(model._meta.verbose_name if single else model._meta.verbose_name_plural))


def _controller(client: Client) -> str:
    district = client.municipality.region.district
    return f"{district.name} – Kommunales Integrationszentrum / Kommunales Integrationsmanagement"


# --- Retention and deletion --------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


@dataclass
class Family:
    """Clients whose data share one retention clock: a household with its members and the
    household's cases, or a single client. A family's data stays while any of its cases is
    open: a member's history may matter to the family's current case."""

    client_ids: list[int] = field(default_factory=list)
    household_id: int | None = None
    case_ids: list[int] = field(default_factory=list)
    open_cases: int = 0
    last_closed_on: dt.date | None = None
    registered_on: dt.date | None = None

    @property
    def reference_date(self) -> dt.date | None:
        return reference_date(
            open_cases=self.open_cases, last_closed_on=self.last_closed_on, registered_on=self.registered_on
        )


def reference_date(*, open_cases: int, last_closed_on: dt.date | None, registered_on: dt.date | None):
    """The day the retention periods count from: none while a case is open; the last case's
    closure; for people never supported in a case, their registration. (Registration does not
    count otherwise: clients taken over from an older system are registered after their cases.)"""
    if open_cases:
        return None
    return last_closed_on or registered_on


def _later(a, b):
    return b if a is None else a if b is None else max(a, b)


def _families() -> list[Family]:
    """All families with their cases, from three queries over narrow columns."""
    families: dict[tuple, Family] = {}
    for pk, created_at in Household.objects.values_list("pk", "created_at").order_by():
        families[("h", pk)] = Family(household_id=pk, registered_on=timezone.localdate(created_at))
    family_of_client = {}
    for pk, household_id, created_at in Client.objects.values_list(
        "pk", "household_id", "created_at"
    ).order_by():
        key = family_of_client[pk] = ("h", household_id) if household_id else ("c", pk)
        family = families.setdefault(key, Family())
        family.client_ids.append(pk)
        family.registered_on = _later(family.registered_on, timezone.localdate(created_at))
    cases = Case.objects.values_list("pk", "client_id", "household_id", "phase", "closed_on").order_by()
    for pk, client_id, household_id, phase, closed_on in cases:
        family = families[family_of_client[client_id] if client_id else ("h", household_id)]
        family.case_ids.append(pk)
        if phase == Phase.CLOSED:
            family.last_closed_on = _later(family.last_closed_on, closed_on)
        else:
            family.open_cases += 1
    return list(families.values())


def due_kinds(reference_date: dt.date | None, today: dt.date) -> dict[str, dt.date]:
    """The kinds of data whose period has run out by `today`, with the day each ran out."""
    if reference_date is None:
        return {}
    due = {}
    for kind, years in settings.KIM_RETENTION.items():
        expires = add_years(reference_date, years)
        if expires <= today:
            due[kind] = expires
    return due


@dataclass
class RetentionReport:
    today: dt.date
    dry_run: bool
    families_checked: int = 0
    client_ids: set[int] = field(default_factory=set)
    household_ids: set[int] = field(default_factory=set)
    counts: Counter = field(default_factory=Counter)  # (kind, inventory key) -> rows

    def by_kind(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = defaultdict(dict)
        for (kind, key), number in sorted(self.counts.items()):
            result[kind][key] = number
        return dict(result)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        mode = _("Probelauf: nichts wurde geändert") if self.dry_run else _("durchgeführt")
        periods = ", ".join(
            f"{RETENTION_KIND_LABELS.get(kind, kind)} {years} J."
            for kind, years in settings.KIM_RETENTION.items()
        )
        lines = [
            _("Löschlauf zum %(day)s (%(mode)s)") % {"day": self.today.strftime("%d.%m.%Y"), "mode": mode},
            _("Fristen nach Abschluss des letzten Falls: %(periods)s") % {"periods": periods},
            _(
                "Geprüfte Personen und Haushalte: %(families)d; betroffen: "
                "%(clients)d Klient/innen, %(households)d Haushalte"
            )
            % {
                "families": self.families_checked,
                "clients": len(self.client_ids),
                "households": len(self.household_ids),
            },
        ]
        if not self.counts:
            lines.append(_("Nichts zu löschen."))
        for kind, counts in self.by_kind().items():
            lines.append(f"{RETENTION_KIND_LABELS.get(kind, kind)}: {sum(counts.values())}")
            lines.extend(f"  {key}: {number}" for key, number in counts.items())
        return lines


def retention_run(*, today: dt.date, dry_run: bool, by=None) -> RetentionReport:
    """Delete and anonymise what has outlived its retention period (settings.KIM_RETENTION).

    Per family (see `Family`), once all its cases are closed: documents and free-text notes
    when their periods have run out, and the identity of its clients (names, address,
    contact data, exact birth date) when that period has; a household's name once all its
    members are anonymised. Cases, phases, dates, legal frameworks, closure reasons,
    contacts' channels and topics, referrals' actors and statuses stay: the statistics are
    the same before and after. Each family is handled in one transaction, with its audit
    entries and DeletionLog rows. A dry run does exactly the same and rolls it back, so its
    report is what a real run would do. Running again finds nothing more to do.
    """
    report = RetentionReport(today=today, dry_run=dry_run)
    plan = _retention_plan()
    logged = _logged_content_types()
    families = _families()
    pending = _pending_work(plan)
    for family in families:
        report.families_checked += 1
        due = due_kinds(family.reference_date, today)
        if not due or not _has_pending_work(family, due, pending):
            continue
        with transaction.atomic():
            _apply_to_family(family, plan=plan, logged=logged, today=today, by=by, report=report)
            if dry_run:
                transaction.set_rollback(True)
    return report


def _retention_plan() -> list[tuple[type[models.Model], str, dict[str, object]]]:
    """Models with fields to delete, blank or anonymise: rows inside cases first, then clients,
    then households (a household's name goes only after all its members are anonymised)."""
    order = {CASE: 0, CLIENT: 1, HOUSEHOLD: 2}
    plan = []
    for model in inventoried_models():
        link = client_link(model)
        rules = {
            f.name: entry
            for f in model_fields(model)
            if (entry := entry_for(model, f)) is not None and entry.treatment != Treatment.KEEP
        }
        if rules and link is not None:
            plan.append((model, link.anchor, rules))
    return sorted(plan, key=lambda item: order[item[1]])


def _pending_q(model, rules: dict) -> Q | None:
    """The rows of `model` the rules would still change (None: no row)."""
    conditions = []
    has_marker = any(f.name == "anonymised_at" for f in model._meta.concrete_fields)
    for name, entry in rules.items():
        if entry.treatment == Treatment.DELETE:
            return Q()  # every remaining row is to go
        if entry.treatment == Treatment.BLANK:
            conditions.append(~Q(**{f"{name}__in": ["", entry.value]}) & Q(**{f"{name}__isnull": False}))
        elif entry.treatment == Treatment.ANONYMISE:
            if callable(entry.value):
                if not has_marker:
                    return Q()  # cannot tell done from not done: look at every row
            elif entry.value is None:
                conditions.append(Q(**{f"{name}__isnull": False}))
            else:
                conditions.append(~Q(**{name: entry.value}))
    if has_marker and any(entry.treatment == Treatment.ANONYMISE for entry in rules.values()):
        conditions.append(Q(anonymised_at__isnull=True))
    return functools.reduce(operator.or_, conditions) if conditions else None


def _pending_work(plan) -> dict[tuple[str, str], set[int]]:
    """Per (anchor, kind), the ids of the clients, cases and households that still hold data
    the rules of that kind would change: one query per model and kind for the whole run, so
    families already dealt with cost nothing on the next run."""
    pending: dict[tuple[str, str], set[int]] = defaultdict(set)
    for model, anchor, rules in plan:
        lookup = client_link(model).lookup
        for kind in {entry.kind for entry in rules.values()}:
            condition = _pending_q(model, {n: e for n, e in rules.items() if e.kind == kind})
            if condition is None:
                continue
            ids = model._default_manager.filter(condition).order_by().values_list(lookup, flat=True)
            pending[(anchor, kind)].update(ids.distinct())
    return pending


def _has_pending_work(family: Family, due: dict, pending: dict) -> bool:
    for kind in due:
        if (
            any(pk in pending[(CASE, kind)] for pk in family.case_ids)
            or any(pk in pending[(CLIENT, kind)] for pk in family.client_ids)
            or family.household_id in pending[(HOUSEHOLD, kind)]
        ):
            return True
    return False


def _apply_to_family(
    family: Family, *, plan, logged: frozenset[int], today: dt.date, by, report: RetentionReport
) -> None:
    subject = Q(client_id__in=family.client_ids)
    if family.household_id:
        subject |= Q(household_id=family.household_id)
    # Lock the family's rows and look again: a case may have been re-opened or closed since
    # the figures were read.
    list(Client.objects.select_for_update().filter(pk__in=family.client_ids).values_list("pk", flat=True))
    cases = list(
        Case.objects.select_for_update()
        .filter(subject)
        .values("pk", "client_id", "household_id", "phase", "closed_on")
    )
    if any(case["phase"] != Phase.CLOSED for case in cases):
        return
    reference = reference_date(
        open_cases=0,
        last_closed_on=max((case["closed_on"] for case in cases), default=None),
        registered_on=family.registered_on,
    )
    due = due_kinds(reference, today)
    owners: dict[tuple[str, int], list[int]] = defaultdict(list)
    for case in cases:
        owner = ("client", case["client_id"]) if case["client_id"] else ("household", case["household_id"])
        owners[owner].append(case["pk"])
    done: dict[tuple[str, int], Counter] = defaultdict(Counter)

    for model, anchor, rules in plan:
        rules = {name: entry for name, entry in rules.items() if entry.kind in due}
        if not rules:
            continue
        if anchor == CASE:
            targets = [
                (owner, rows_for(model, client_ids=(), case_ids=case_ids, household_ids=()))
                for owner, case_ids in owners.items()
            ]
        elif anchor == CLIENT:
            targets = [
                (("client", pk), rows_for(model, client_ids=[pk], case_ids=(), household_ids=()))
                for pk in family.client_ids
            ]
        elif family.household_id:
            if _has_identified_members(family.household_id):
                # A household's own data is anonymised only once all its members are.
                rules = {n: e for n, e in rules.items() if e.treatment != Treatment.ANONYMISE}
            rows = rows_for(model, client_ids=(), case_ids=(), household_ids=[family.household_id])
            targets = [(("household", family.household_id), rows)] if rules else []
        else:
            targets = []
        for owner, queryset in targets:
            done[owner].update(_apply_rules(model, queryset, rules, logged=logged))

    for owner, counts in done.items():
        counts = +counts
        if not counts:
            continue
        _record(owner, counts, due=due, reference_date=reference, by=by)
        report.counts.update(counts)
        (report.client_ids if owner[0] == "client" else report.household_ids).add(owner[1])


def _has_identified_members(household_id: int) -> bool:
    return Client.objects.filter(household_id=household_id, anonymised_at__isnull=True).exists()


def _apply_rules(model, queryset: models.QuerySet, rules: dict, *, logged: frozenset[int]) -> Counter:
    """Apply one model's retention rules to its rows; counts by (kind, inventory key)."""
    label = model._meta.label_lower
    counts: Counter = Counter()
    by_treatment = defaultdict(dict)
    for name, entry in rules.items():
        by_treatment[entry.treatment][name] = entry
    touched: set = set()

    if by_treatment[Treatment.DELETE]:
        kind = next(iter(by_treatment[Treatment.DELETE].values())).kind
        rows = list(queryset)
        if rows:
            _delete_files_after_commit(model, rows, counts, kind)
            touched.update(row.pk for row in rows)
            queryset.filter(pk__in=[row.pk for row in rows]).delete()
            counts[(kind, label)] += len(rows)
        # Nothing else of a deleted row is left to blank or anonymise.
        _purge_admin_log(model, touched, counts, kind, logged=logged)
        return counts

    now = timezone.now()
    has_updated_at = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    blank = by_treatment[Treatment.BLANK]
    if blank:
        # One read for all of the model's free texts, then one write per text that holds any.
        names = list(blank)
        rows = list(queryset.order_by().values_list("pk", *names))
        for index, name in enumerate(names, start=1):
            entry = blank[name]
            pks = [row[0] for row in rows if row[index] not in (None, "", entry.value)]
            if not pks:
                continue
            changes = {name: entry.value, **({"updated_at": now} if has_updated_at else {})}
            model._default_manager.filter(pk__in=pks).update(**changes)
            touched.update(pks)
            counts[(entry.kind, f"{label}.{name}")] += len(pks)

    anonymise = by_treatment[Treatment.ANONYMISE]
    if anonymise:
        kind = next(iter(anonymise.values())).kind
        has_marker = any(f.name == "anonymised_at" for f in model._meta.concrete_fields)
        for row in queryset.select_for_update():
            changed = []
            for name, entry in anonymise.items():
                new = entry.replacement(getattr(row, name))
                if getattr(row, name) != new:
                    setattr(row, name, new)
                    changed.append(name)
            if has_marker and row.anonymised_at is None:
                row.anonymised_at = now
                changed.append("anonymised_at")
            if changed:
                # No full_clean(): the neutral values are valid by construction, and a birth
                # year long past would trip the plausibility check on dates of birth.
                row.save(update_fields=[*changed, *(["updated_at"] if has_updated_at else [])])
                touched.add(row.pk)
                counts[(kind, label)] += 1
    kinds = {entry.kind for entry in rules.values()}
    _purge_admin_log(model, touched, counts, min(kinds), logged=logged)
    return counts


def _delete_files_after_commit(model, rows, counts: Counter, kind: str) -> None:
    """Files go once the rows' deletion is committed: a rollback (or a dry run) keeps both."""
    file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    for file_field in file_fields:
        for row in rows:
            stored = getattr(row, file_field.name)
            if stored and stored.name:
                transaction.on_commit(functools.partial(stored.storage.delete, stored.name))
                counts[(kind, f"{model._meta.label_lower}.{file_field.name}")] += 1


def _logged_content_types() -> frozenset[int]:
    """The kinds of object Django admin's history holds at all: the others need no purge."""
    if not apps.is_installed("django.contrib.admin"):
        return frozenset()
    from django.contrib.admin.models import LogEntry

    return frozenset(LogEntry.objects.order_by().values_list("content_type_id", flat=True).distinct())


def _purge_admin_log(model, pks: Iterable, counts: Counter, kind: str, *, logged: frozenset[int]) -> None:
    """Django admin's history copies each object's text (a client's name, a goal's title) into
    LogEntry.object_repr: it goes with the data it copied."""
    pks = [str(pk) for pk in pks]
    content_type = ContentType.objects.get_for_model(model)
    if not pks or content_type.pk not in logged:
        return
    from django.contrib.admin.models import LogEntry

    number = (
        LogEntry.objects.filter(content_type=content_type, object_id__in=pks)
        .exclude(object_repr=DELETED_TEXT)
        .update(object_repr=DELETED_TEXT)
    )
    if number:
        counts[(kind, "admin.logentry.object_repr")] += number


def _record(owner, counts: Counter, *, due: dict, reference_date: dt.date, by) -> None:
    """The DeletionLog row and the audit entry for one client's or household's data."""
    kind_counts: dict[str, dict[str, int]] = defaultdict(dict)
    for (kind, key), number in sorted(counts.items()):
        kind_counts[kind][key] = number
    rules = {
        kind: {
            "jahre": settings.KIM_RETENTION[kind],
            "bezugsdatum": reference_date.isoformat(),
            "abgelaufen_am": due[kind].isoformat(),
        }
        for kind in kind_counts
    }
    kind_of_owner, pk = owner
    DeletionLog.objects.create(
        client_id=pk if kind_of_owner == "client" else None,
        household_id=pk if kind_of_owner == "household" else None,
        deleted=dict(kind_counts),
        rules=rules,
        performed_by=by if by is not None and by.is_authenticated else None,
    )
    obj = Client(pk=pk) if kind_of_owner == "client" else Household(pk=pk)
    audit_record(
        user=by,
        action=Action.DELETE,
        obj=obj,
        fields=sorted({key for _, key in counts}),
        detail="Aufbewahrungsfrist abgelaufen (apply_retention)",
    )
