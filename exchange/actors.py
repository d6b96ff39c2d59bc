"""Import of the network directory: actors with their contact persons, one row per contact person.

Rows with the same `externe_id` belong to one actor; the actor's own columns are read from
the first of them (later rows may repeat them or leave them empty, but not contradict them).
The natural keys: an actor is its `externe_id` within the district (Actor.external_id, unique
per district); a contact person is their name within the actor. Contact persons that the
file does not name are left alone, never deleted: the file may be an older list.

Access: actors belong to the district, and the network is shared by all KIM teams of it
(accounts.roles.restrict_to_district), so an actor may serve any municipality of the
district, as in the actor form.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from casework import services as casework_services
from casework.models import Actor, ActorType, ContactPerson, Topic
from regions.models import District

from . import parsing
from .report import RowAction, RowReport

REQUIRED_COLUMNS = ["externe_id", "name", "art", "kommunen"]
ACTOR_COLUMNS = ["name", "art", "kommunen", "themen", "strasse", "plz", "ort", "telefon", "email", "website"]
PERSON_COLUMNS = [
    "ansprechperson_name",
    "ansprechperson_funktion",
    "ansprechperson_telefon",
    "ansprechperson_email",
]
COLUMNS = ["externe_id", *ACTOR_COLUMNS, *PERSON_COLUMNS]

UNKNOWN_ACTOR_TYPE = "Spalte „art“: „%(value)s“ ist keine Akteursart. Erlaubt: %(allowed)s."
UNKNOWN_TOPIC = "Spalte „themen“: „%(value)s“ ist kein Handlungsfeld. Erlaubt: %(allowed)s."
CONTRADICTS_FIRST_ROW = "Spalte „%(column)s“ widerspricht Zeile %(row)d desselben Akteurs."
GROUP_REJECTED = "Der Akteur wird nicht importiert, weil Zeile %(row)d abgelehnt ist."
PERSON_TWICE = "Die Ansprechperson steht schon in Zeile %(row)d."
PERSON_FIELDS_WITHOUT_NAME = "Angaben zur Ansprechperson ohne „ansprechperson_name“."

# Columns → Actor fields (the simple ones; type, municipalities and topics are looked up).
FIELD_COLUMNS = {
    "name": "name",
    "street": "strasse",
    "postal_code": "plz",
    "city": "ort",
    "phone": "telefon",
    "email": "email",
    "website": "website",
}
PERSON_FIELD_COLUMNS = {
    "role": "ansprechperson_funktion",
    "phone": "ansprechperson_telefon",
    "email": "ansprechperson_email",
}
FIELD_LABELS = {
    "name": "Name",
    "actor_type": "Akteursart",
    "street": "Straße",
    "postal_code": "PLZ",
    "city": "Ort",
    "phone": "Telefon",
    "email": "E-Mail",
    "website": "Website",
    "municipalities": "Kommunen",
    "topics": "Handlungsfelder",
    "role": "Funktion",
}


@dataclass
class PersonPlan:
    report: RowReport
    name: str
    fields: dict
    existing: ContactPerson | None = None
    changed: list[str] = field(default_factory=list)


@dataclass
class ActorPlan:
    external_id: str
    reports: list[RowReport] = field(default_factory=list)
    actor: Actor | None = None
    fields: dict = field(default_factory=dict)
    municipalities: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    persons: list[PersonPlan] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(r.action == RowAction.REJECTED for r in self.reports)


def _messages(error: ValidationError, labels: dict) -> list[str]:
    return [
        f"{labels.get(name, name)}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
        for name, messages in error.message_dict.items()
    ]


class ActorImporter:
    kind = "akteure"
    required_columns = REQUIRED_COLUMNS
    columns = COLUMNS

    def __init__(self, *, user: User | None, district: District):
        self.user = user
        self.district = district
        self.catalogues = parsing.Catalogues()
        self.actor_types = {t.name.casefold(): t for t in ActorType.objects.filter(is_active=True)}
        self.topics = {t.name.casefold(): t for t in Topic.objects.filter(is_active=True)}

    # --- planning (no writes) ----------------------------------------------------------

    def plan(self, rows, present_columns, progress=None) -> list[ActorPlan]:
        self.present = set(present_columns)
        groups: dict[str, list] = {}
        lone: list = []
        for row in rows:
            key = row.get("externe_id").strip()
            (groups.setdefault(key, []) if key else lone).append(row)
        plans = []
        for row in lone:
            errors: list[str] = []
            parsing.text(row.values, "externe_id", errors, required=True)
            plan = ActorPlan(external_id="")
            plan.reports.append(RowReport(row.number, "", RowAction.REJECTED, errors))
            plans.append(plan)
        done = 0
        for key, group in groups.items():
            plans.append(self._plan_group(key, group))
            done += len(group)
            if progress:
                progress(done, len(rows))
        plans.sort(key=lambda p: p.reports[0].row)
        return plans

    def _plan_group(self, key: str, group: list) -> ActorPlan:
        plan = ActorPlan(external_id=key)
        first = group[0]
        errors: list[str] = []
        if len(key) > 64:
            errors.append(_(parsing.TOO_LONG) % {"column": "externe_id", "max": 64})
        values = first.values
        plan.fields = {
            name: parsing.text(values, column, errors, required=(column == "name"), max_length=200)
            for name, column in FIELD_COLUMNS.items()
            if column in self.present
        }
        type_name = parsing.text(values, "art", errors, required=True)
        actor_type = self.actor_types.get(type_name.casefold()) if type_name else None
        if type_name and actor_type is None:
            allowed = ", ".join(t.name for t in self.actor_types.values())
            errors.append(_(UNKNOWN_ACTOR_TYPE) % {"value": type_name, "allowed": allowed})
        plan.fields["actor_type"] = actor_type
        kommunen = parsing.text(values, "kommunen", errors, required=True, max_length=2000)
        if kommunen:
            plan.municipalities = self.catalogues.district_municipalities(kommunen, self.district, errors)
        for item in parsing.split_list(values.get("themen", "")):
            topic = self.topics.get(item.casefold())
            if topic is None:
                allowed = ", ".join(t.name for t in self.topics.values())
                errors.append(_(UNKNOWN_TOPIC) % {"value": item, "allowed": allowed})
            else:
                plan.topics.append(topic)
        if not errors:
            plan.actor = (
                Actor.objects.filter(district=self.district, external_id=key)
                .select_related("actor_type")
                .first()
            )
        # The model's rules too (PLZ, e-mail, ...), so one dry run names every problem of the row.
        errors.extend(self._validate_actor(plan))
        first_report = RowReport(first.number, key, RowAction.UNCHANGED, errors)
        reports = {first.number: first_report}
        plan.reports.append(first_report)
        for row in group[1:]:
            row_errors = [
                _(CONTRADICTS_FIRST_ROW) % {"column": column, "row": first.number}
                for column in ACTOR_COLUMNS
                if column in self.present and row.get(column) and row.get(column) != first.get(column)
            ]
            report = RowReport(row.number, key, RowAction.UNCHANGED, row_errors)
            reports[row.number] = report
            plan.reports.append(report)
        self._plan_persons(plan, group, reports)
        # Up to here every message is a reason to reject its row.
        for report in plan.reports:
            if report.messages:
                report.action = RowAction.REJECTED
        if plan.rejected:
            bad = next(r.row for r in plan.reports if r.action == RowAction.REJECTED)
            for report in plan.reports:
                if report.action != RowAction.REJECTED:
                    report.action = RowAction.REJECTED
                    report.messages = [_(GROUP_REJECTED) % {"row": bad}]
            return plan
        self._compare(plan, first_report)
        return plan

    def _plan_persons(self, plan: ActorPlan, group: list, reports: dict) -> None:
        existing = {}
        if plan.actor is not None:
            existing = {p.name.casefold(): p for p in plan.actor.contact_persons.all()}
        seen: dict[str, int] = {}
        for row in group:
            report, errors = reports[row.number], reports[row.number].messages
            name = parsing.text(row.values, "ansprechperson_name", errors, max_length=200)
            fields = {
                field_name: parsing.text(row.values, column, errors, max_length=200)
                for field_name, column in PERSON_FIELD_COLUMNS.items()
                if column in self.present
            }
            if not name:
                if any(fields.values()):
                    errors.append(_(PERSON_FIELDS_WITHOUT_NAME))
                continue
            if name.casefold() in seen:
                errors.append(_(PERSON_TWICE) % {"row": seen[name.casefold()]})
                continue
            seen[name.casefold()] = row.number
            person = PersonPlan(
                report=report, name=name, fields=fields, existing=existing.get(name.casefold())
            )
            candidate = ContactPerson(name=name, **fields)
            try:
                candidate.full_clean(exclude=["actor"], validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                errors.extend(_messages(error, FIELD_LABELS))
                continue
            if person.existing is not None:
                person.changed = [k for k, v in fields.items() if getattr(person.existing, k) != v]
            plan.persons.append(person)

    def _validate_actor(self, plan: ActorPlan) -> list[str]:
        candidate = Actor(district=self.district, external_id=plan.external_id)
        if plan.actor is not None:
            for name in ("name", "actor_type", *FIELD_COLUMNS):
                setattr(candidate, name, getattr(plan.actor, name))
        for name, value in plan.fields.items():
            setattr(candidate, name, value)
        # An unknown type is reported already; do not report it twice as „required“.
        exclude = ["actor_type"] if candidate.actor_type_id is None else []
        exclude += ["name"] if not candidate.name else []
        try:
            candidate.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            return _messages(error, FIELD_LABELS)
        return []

    def _compare(self, plan: ActorPlan, first_report: RowReport) -> None:
        if plan.actor is None:
            for report in plan.reports:
                report.action = RowAction.CREATE
            first_report.messages.append(_("Neuer Akteur."))
            for person in plan.persons:
                person.report.messages.append(_("Neue Ansprechperson."))
            return
        actor = plan.actor
        plan.changed = [name for name, value in plan.fields.items() if getattr(actor, name) != value]
        if {m.pk for m in plan.municipalities} != set(actor.municipalities.values_list("pk", flat=True)):
            plan.changed.append("municipalities")
        if {t.pk for t in plan.topics} != set(actor.topics.values_list("pk", flat=True)):
            plan.changed.append("topics")
        if plan.changed:
            first_report.action = RowAction.UPDATE
            labels = ", ".join(FIELD_LABELS[name] for name in plan.changed)
            first_report.messages.append(_("Akteur geändert: %(fields)s.") % {"fields": labels})
        for person in plan.persons:
            if person.existing is None:
                person.report.action = RowAction.UPDATE if person.report is first_report else RowAction.CREATE
                person.report.messages.append(_("Neue Ansprechperson."))
            elif person.changed:
                person.report.action = RowAction.UPDATE
                labels = ", ".join(FIELD_LABELS[name] for name in person.changed)
                person.report.messages.append(_("Ansprechperson geändert: %(fields)s.") % {"fields": labels})

    # --- applying (inside the caller's transaction) -------------------------------------

    def apply(self, plans: list[ActorPlan], progress=None) -> None:
        for index, plan in enumerate(plans, start=1):
            persons = [
                {"name": p.name, **p.fields} if p.existing is None else {"pk": p.existing.pk, **p.fields}
                for p in plan.persons
                if p.existing is None or p.changed
            ]
            if plan.actor is None:
                actor = casework_services.actor_create(
                    by=self.user,
                    municipalities=plan.municipalities,
                    topics=plan.topics,
                    contact_persons=persons,
                    **plan.fields,
                )
                # The services do not let forms set the import key; only the import does.
                Actor.objects.filter(pk=actor.pk).update(external_id=plan.external_id)
            elif plan.changed or persons:
                casework_services.actor_update(
                    actor=plan.actor,
                    by=self.user,
                    municipalities=plan.municipalities,
                    topics=plan.topics,
                    contact_persons=persons,
                    **plan.fields,
                )
            if progress:
                progress(index, len(plans))
