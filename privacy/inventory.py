"""The data inventory: every field of the project's models, classified, with what happens to it
when its retention period ends. The one place a newcomer looks to learn where personal data lives.

Categories (per field, by what the stored value itself reveals):

- PERSONAL: identifies a person or describes them (names, contact details, date of birth, free
  text, staff accounts).
- SPECIAL: Art. 9 GDPR categories and social data of special sensitivity (§ 67 SGB X context):
  residence status, nationality and languages (they point to ethnic origin), the legal
  frameworks a person draws benefits under, free-text notes and documents of a case (they
  routinely hold health, family and residence details).
- NONE: technical keys, record-keeping timestamps, catalogue and geography data, and the facts
  of a case (dates, phases, channels, durations, statuses) that become anonymous once the
  client's identity is gone. A row that points at a client is still personal data as a whole
  while the client is identifiable: the Art. 15 export therefore shows every field of such rows.

Treatments at the end of retention (`manage.py apply_retention`, periods in
`settings.KIM_RETENTION`): DELETE the row (and its files), BLANK free text to "[gelöscht]",
ANONYMISE with a neutral value, or KEEP, with the reason why keeping is allowed.

`privacy.checks` fails `manage.py check` for a field missing here (privacy.E001), an entry
naming no field (E002), a personal field without a stated treatment (E003) and a treatment with
an unknown retention kind (E004). The export and the retention run walk this table, so a new
model with personal data that hangs off a case or client is exported and purged without
touching their code.
"""

import datetime as dt
import functools
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models


class Category(StrEnum):
    PERSONAL = "personal"
    SPECIAL = "special"
    NONE = "none"


class Treatment(StrEnum):
    KEEP = "keep"
    BLANK = "blank"
    DELETE = "delete"
    ANONYMISE = "anonymise"


PERSONAL, SPECIAL, NONE = Category.PERSONAL, Category.SPECIAL, Category.NONE

# What a blanked free text reads afterwards: visibly deleted, not silently empty.
DELETED_TEXT = "[gelöscht]"
ANONYMISED_NAME = "Anonymisiert"
ANONYMISED_HOUSEHOLD = "Anonymisierter Haushalt"

# The kinds of data with their own retention period (keys of settings.KIM_RETENTION).
DOCUMENTS = "documents"
NOTES = "notes"
CLIENT_IDENTITY = "client_identity"


@dataclass(frozen=True)
class Entry:
    category: Category
    treatment: Treatment = Treatment.KEEP
    kind: str = ""  # the retention period that applies (a key of settings.KIM_RETENTION)
    value: object = None  # ANONYMISE: the neutral value, or a callable old value -> new value
    reason: str = ""  # KEEP of personal data: why it may stay

    def replacement(self, old):
        return self.value(old) if callable(self.value) else self.value


def none() -> Entry:
    return Entry(NONE)


def keep(category: Category, reason: str) -> Entry:
    return Entry(category, Treatment.KEEP, reason=reason)


def blank(category: Category) -> Entry:
    return Entry(category, Treatment.BLANK, NOTES, DELETED_TEXT)


def delete_row(category: Category) -> Entry:
    return Entry(category, Treatment.DELETE, DOCUMENTS)


def anonymise(category: Category, value: object | Callable) -> Entry:
    return Entry(category, Treatment.ANONYMISE, CLIENT_IDENTITY, value)


def start_of_year(day: dt.date | None) -> dt.date | None:
    """1 January of the same year: age groups in the statistics stay right."""
    return day.replace(month=1, day=1) if day else None


STAFF = "data of staff, not of clients: kept with the account (who did what stays traceable)"
STATISTICS = "a statistics attribute; anonymous once name, address and exact birth date are gone"
ACCOUNTABILITY = "proves the lawfulness of a transfer of data (Art. 5 (2) GDPR)"
CONTACT_PERSON = "contact details of a network partner's employee, maintained in the directory"

_TIMESTAMPS = ("id", "created_at", "updated_at")
_CATALOGUE = (*_TIMESTAMPS, "name", "sort_order", "is_active")
# Fields every CaseEntry (contact, goal, referral, follow-up, document, consent) has.
_CASE_ENTRY = {"case": none(), "created_by": keep(PERSONAL, STAFF)}


def _model(label: str, **fields: Entry) -> dict[str, Entry]:
    return {f"{label}.{name}": entry for name, entry in fields.items()}


def _all_none(label: str, names: Iterable[str]) -> dict[str, Entry]:
    return {f"{label}.{name}": none() for name in names}


INVENTORY: dict[str, Entry] = {
    # --- Staff accounts -------------------------------------------------------------------
    **_all_none("accounts.user", ("id", "is_superuser", "is_staff", "is_active", "district", "fte")),
    **_model(
        "accounts.user",
        password=keep(PERSONAL, STAFF),
        last_login=keep(PERSONAL, STAFF),
        username=keep(PERSONAL, STAFF),
        first_name=keep(PERSONAL, STAFF),
        last_name=keep(PERSONAL, STAFF),
        email=keep(PERSONAL, STAFF),
        date_joined=keep(PERSONAL, STAFF),
        employing_municipality=keep(PERSONAL, STAFF),
        groups=keep(PERSONAL, STAFF),
        user_permissions=keep(PERSONAL, STAFF),
        regions=keep(PERSONAL, STAFF),
    ),
    # --- Geography: data about places, not people -----------------------------------------
    **_all_none("regions.district", (*_TIMESTAMPS, "name", "key", "code")),
    **_all_none("regions.region", (*_TIMESTAMPS, "district", "name")),
    **_all_none("regions.municipality", (*_TIMESTAMPS, "region", "name", "ags", "population")),
    # --- Catalogues ------------------------------------------------------------------------
    **_all_none("casework.topic", _CATALOGUE),
    **_all_none("casework.actortype", _CATALOGUE),
    **_all_none("casework.closurereason", _CATALOGUE),
    **_all_none("casework.legalframework", (*_CATALOGUE, "code", "bit")),
    **_all_none("casework.datacategory", (*_CATALOGUE, "is_special_category")),
    # --- The network: organisations (their functional addresses) and their staff -----------
    **_all_none(
        "casework.actor",
        (
            *_TIMESTAMPS,
            "district",
            "name",
            "actor_type",
            "street",
            "postal_code",
            "city",
            "phone",
            "email",
            "website",
            "description",
            "external_id",
            "is_active",
            "municipalities",
            "topics",
            "version",
        ),
    ),
    **_all_none("casework.contactperson", (*_TIMESTAMPS, "actor", "is_active")),
    **_model(
        "casework.contactperson",
        name=keep(PERSONAL, CONTACT_PERSON),
        role=keep(PERSONAL, CONTACT_PERSON),
        phone=keep(PERSONAL, CONTACT_PERSON),
        email=keep(PERSONAL, CONTACT_PERSON),
    ),
    # --- Clients and households ------------------------------------------------------------
    **_all_none("casework.household", _TIMESTAMPS),
    **_model(
        "casework.household",
        # Anonymised only once every member is (privacy.services).
        name=anonymise(PERSONAL, ANONYMISED_HOUSEHOLD),
        municipality=keep(PERSONAL, STATISTICS),
    ),
    **_all_none("casework.client", (*_TIMESTAMPS, "household", "anonymised_at", "version")),
    **_model(
        "casework.client",
        first_name=anonymise(PERSONAL, ANONYMISED_NAME),
        last_name=anonymise(PERSONAL, ANONYMISED_NAME),
        date_of_birth=anonymise(PERSONAL, start_of_year),
        gender=keep(PERSONAL, STATISTICS),
        # Nationality and languages point to ethnic origin (Art. 9); nationality is kept for
        # the state's figures by origin, the languages (often rare ones) would single a person out.
        nationality=keep(SPECIAL, STATISTICS),
        languages=anonymise(SPECIAL, ""),
        needs_interpreter=keep(PERSONAL, STATISTICS),
        residence_status=keep(SPECIAL, STATISTICS),
        # An exact expiry date is no statistic but could re-identify: it goes with the identity.
        residence_valid_until=anonymise(SPECIAL, None),
        # Benefits a person draws (SGB II, AsylbLG ...) are social data of special sensitivity.
        legal_frameworks=keep(SPECIAL, STATISTICS),
        municipality=keep(PERSONAL, STATISTICS),
        street=anonymise(PERSONAL, ""),
        postal_code=anonymise(PERSONAL, ""),
        phone=anonymise(PERSONAL, ""),
        email=anonymise(PERSONAL, ""),
        household_role=keep(PERSONAL, STATISTICS),
        # An identifier of another system leads straight back to the person.
        external_id=anonymise(PERSONAL, ""),
    ),
    # --- Cases: the statistics basis; only the client link makes them personal ---------------
    **_all_none(
        "casework.case",
        (
            *_TIMESTAMPS,
            "reference",
            "district",
            "year",
            "sequence",
            "client",
            "household",
            "municipality",
            "phase",
            "opened_on",
            "closed_on",
            "closure_reason",
            "version",
        ),
    ),
    **_model(
        "casework.case",
        case_manager=keep(PERSONAL, STAFF),
        legal_frameworks=keep(SPECIAL, STATISTICS),
        # The same legal frameworks as bits for the case list's indexes: kept as they are.
        legal_framework_bits=keep(SPECIAL, STATISTICS),
        # The client's name in searchable form: it goes with the client's identity.
        search_name=anonymise(PERSONAL, ""),
    ),
    **_all_none(
        "casework.phasechange",
        # The outcome for the person (evaluation) is a status like the phase: anonymous without them.
        ("id", "case", "from_phase", "to_phase", "changed_at", "closure_reason", "outcome"),
    ),
    **_model("casework.phasechange", changed_by=keep(PERSONAL, STAFF), note=blank(SPECIAL)),
    **_all_none("casework.caseassignment", ("id", "case", "assigned_at", "seen_at")),
    **_model(
        "casework.caseassignment",
        from_manager=keep(PERSONAL, STAFF),
        to_manager=keep(PERSONAL, STAFF),
        assigned_by=keep(PERSONAL, STAFF),
        note=blank(SPECIAL),
    ),
    # --- Inside a case: dates, channels, topics, statuses stay; free text goes ----------------
    **_all_none("casework.contact", (*_TIMESTAMPS, "contacted_on", "channel", "duration_minutes", "topics")),
    **_model(
        "casework.contact",
        **_CASE_ENTRY,
        with_interpreter=keep(PERSONAL, STATISTICS),
        note=blank(SPECIAL),
    ),
    **_all_none("casework.goal", (*_TIMESTAMPS, "topic", "status", "target_date", "version")),
    # A goal's title is free text about the person's life ("Therapieplatz finden"): a note.
    **_model("casework.goal", **_CASE_ENTRY, title=blank(PERSONAL), description=blank(SPECIAL)),
    **_all_none("casework.goalstatuschange", ("id", "goal", "from_status", "to_status", "changed_at")),
    **_model("casework.goalstatuschange", changed_by=keep(PERSONAL, STAFF)),
    **_all_none(
        "casework.referral",
        (
            *_TIMESTAMPS,
            "actor",
            "contact_person",
            "topic",
            "referred_on",
            "status",
            "consent",
            "responded_on",
            "version",
            "data_categories",
        ),
    ),
    **_model(
        "casework.referral",
        **_CASE_ENTRY,
        outcome=blank(SPECIAL),
        # Kept: it documents that a transfer was lawful (Art. 5 (2) GDPR) and Referral.clean()
        # requires it where no consent covers the transfer. The form asks for a statute and
        # its purpose, not for facts about the person.
        legal_basis=keep(PERSONAL, ACCOUNTABILITY),
    ),
    **_all_none(
        "casework.followup",
        (*_TIMESTAMPS, "due_on", "done_at", "district", "dropped", "continues_after_closing"),
    ),
    **_model(
        "casework.followup",
        **_CASE_ENTRY,
        title=blank(PERSONAL),
        assigned_to=keep(PERSONAL, STAFF),
        done_by=keep(PERSONAL, STAFF),
    ),
    # A referral's Rückmeldungen: statuses and dates stay for the statistics, the note goes.
    **_all_none(
        "casework.referralstatuschange",
        ("id", "referral", "from_status", "to_status", "changed_on", "changed_at"),
    ),
    **_model("casework.referralstatuschange", changed_by=keep(PERSONAL, STAFF), note=blank(SPECIAL)),
    # Documents go as a whole, row and file: certificates, notices, medical reports.
    **_all_none("casework.document", (*_TIMESTAMPS, "content_type", "size")),
    **_model(
        "casework.document",
        **_CASE_ENTRY,
        title=delete_row(PERSONAL),
        file=delete_row(SPECIAL),
        original_filename=delete_row(PERSONAL),
    ),
    **_all_none(
        "casework.consent",
        (*_TIMESTAMPS, "given_on", "valid_until", "withdrawn_on", "actors", "data_categories"),
    ),
    **_model("casework.consent", **_CASE_ENTRY, purpose=blank(SPECIAL)),
    # --- One-time form tokens: a random id and the path (ids only) the first submit led to ------
    # Appointments: when, how long, which kind and the contact they became stay (like a contact's
    # facts); the place (it may be a home address), the interpreter's language (it points to
    # ethnic origin) and the note are free text about the person and go with the notes.
    **_all_none(
        "casework.appointment",
        (*_TIMESTAMPS, "starts_at", "duration_minutes", "mode", "with_client", "contact", "contact_person"),
    ),
    **_model(
        "casework.appointment",
        **_CASE_ENTRY,
        # Links to the household's client rows, which are anonymised themselves.
        household_members=none(),
        place=blank(PERSONAL),
        interpreter_language=blank(SPECIAL),
        note=blank(SPECIAL),
        assigned_to=keep(PERSONAL, STAFF),
    ),
    # A staff member's calendar address: a hash of a random secret, nothing about anyone else.
    **_all_none("casework.calendarfeed", (*_TIMESTAMPS, "token_hash")),
    **_model("casework.calendarfeed", user=keep(PERSONAL, STAFF)),
    **_all_none("casework.submittoken", ("id", "token", "created_at", "result_path")),
    **_model("casework.submittoken", user=keep(PERSONAL, STAFF)),
    # --- Structural work (structural app) ------------------------------------------------------
    # Themes and their decision logs are about the support system, curated by Koordination for the
    # steering bodies: no person in them (the forms say so), nothing to purge with a client.
    **_all_none("structural.theme", (*_TIMESTAMPS, "district", "title", "description", "status")),
    **_all_none("structural.themedecision", ("id", "theme", "step", "decided_on", "text", "recorded_at")),
    **_model("structural.themedecision", recorded_by=keep(PERSONAL, STAFF)),
    # A barrier's catalogue values stay as the theme's figures; its description is free text written
    # inside a case, so despite the warning in the form it is treated as a note and blanked.
    **_all_none("structural.barrier", (*_TIMESTAMPS, "case", "actor", "legal_framework", "topic", "theme")),
    **_model("structural.barrier", created_by=keep(PERSONAL, STAFF), description=blank(PERSONAL)),
    # A case conference's participants name people; its decisions are notes about the client.
    **_all_none("structural.caseconference", (*_TIMESTAMPS, "case", "held_on")),
    **_model(
        "structural.caseconference",
        created_by=keep(PERSONAL, STAFF),
        participants=blank(PERSONAL),
        decisions=blank(SPECIAL),
    ),
    # --- The audit trail names objects by id and fields by name, never values ----------------
    **_all_none(
        "audit.auditentry",
        ("id", "at", "action", "object_type", "object_id", "case_reference", "fields", "detail"),
    ),
    **_model("audit.auditentry", user=keep(PERSONAL, STAFF), username=keep(PERSONAL, STAFF)),
    # --- Background work (jobs app) -------------------------------------------------------------
    # A job's uploaded and produced files (import rows, exported case lists) are deleted a day
    # after it ends (KIM_JOB_FILES_HOURS, scheduled task expire_files), its row a week later; the
    # report keeps row numbers, external ids and the import's messages for that time.
    **_all_none(
        "jobs.job",
        (
            "id",
            "kind",
            "status",
            "params",
            "input_file",
            "output_file",
            "output_type",
            "progress_done",
            "progress_total",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "output_name",
        ),
    ),
    **_model(
        "jobs.job",
        owner=keep(PERSONAL, STAFF),
        input_name=keep(PERSONAL, "the file name the user chose; removed with the job after a week"),
        result=keep(
            PERSONAL, "an import's report (external ids, messages); removed with the job after a week"
        ),
    ),
    **_all_none("jobs.scheduledrun", ("id", "task", "started_at", "finished_at", "outcome", "summary")),
    **_all_none("jobs.tasklock", ("name", "holder", "acquired_at", "expires_at")),
    # --- Reminder digests: a staff member's own settings and the record of what was sent --------
    **_all_none("reminders.remindersettings", ("id", "enabled", "weekdays")),
    **_model("reminders.remindersettings", user=keep(PERSONAL, STAFF)),
    **_all_none("reminders.digestsent", ("id", "day", "sent_at", "items")),
    **_model("reminders.digestsent", user=keep(PERSONAL, STAFF)),
    # --- The deletion log holds ids, counts and rules, by design nothing personal -------------
    **_all_none("privacy.deletionlog", ("id", "run_at", "client_id", "household_id", "deleted", "rules")),
    **_model("privacy.deletionlog", performed_by=keep(PERSONAL, STAFF)),
}


# --- Walking the models ----------------------------------------------------------------------


def field_key(model: type[models.Model], field: models.Field) -> str:
    return f"{model._meta.label_lower}.{field.name}"


def model_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields that store something: columns and many-to-many relations, no reverse ones."""
    return [*model._meta.local_concrete_fields, *model._meta.local_many_to_many]


def project_app_configs():
    """The apps of this project (not Django's or third-party ones): every app whose code lives
    in the repository, so a new app is inventoried without being listed anywhere."""
    base = Path(settings.BASE_DIR).resolve()
    for app_config in apps.get_app_configs():
        path = Path(app_config.path).resolve()
        if path.is_relative_to(base) and "site-packages" not in path.parts:
            yield app_config


def inventoried_models() -> list[type[models.Model]]:
    return [
        model
        for app_config in project_app_configs()
        for model in app_config.get_models()
        if not model._meta.proxy and not model._meta.auto_created
    ]


def entry_for(model: type[models.Model], field: models.Field, inventory=None) -> Entry | None:
    return (INVENTORY if inventory is None else inventory).get(field_key(model, field))


def holds_personal_data(model: type[models.Model], inventory=None) -> bool:
    return any(
        (entry := entry_for(model, field, inventory)) is not None and entry.category != NONE
        for field in model_fields(model)
    )


# What a path from a model ends at: the objects about one client.
CLIENT, CASE, HOUSEHOLD = "client", "case", "household"
_ANCHORS = {"casework.client": CLIENT, "casework.case": CASE, "casework.household": HOUSEHOLD}
_MAX_PATH_LENGTH = 4


@dataclass(frozen=True)
class ClientLink:
    """How rows of a model are found for one client: `lookup` leads to a `anchor` object
    ("pk" when the model is the anchor itself)."""

    anchor: str
    lookup: str


@functools.cache
def client_link(model: type[models.Model]) -> ClientLink | None:
    """The shortest chain of foreign keys from `model` to a client, case or household.

    Staff accounts end a chain: a case manager's other cases are no data of this client.
    """
    label = model._meta.label_lower
    if label in _ANCHORS:
        return ClientLink(_ANCHORS[label], "pk")
    user_label = settings.AUTH_USER_MODEL.lower()
    queue = deque([(model, ())])
    seen = {label}
    while queue:
        current, path = queue.popleft()
        if len(path) >= _MAX_PATH_LENGTH:
            continue
        for field in current._meta.concrete_fields:
            if not field.is_relation or field.many_to_many:
                continue
            target = field.related_model
            target_label = target._meta.label_lower
            if target_label == user_label or target_label in seen:
                continue
            if target_label in _ANCHORS:
                return ClientLink(_ANCHORS[target_label], "__".join((*path, field.name)))
            seen.add(target_label)
            queue.append((target, (*path, field.name)))
    return None


def rows_for(model: type[models.Model], *, client_ids, case_ids, household_ids) -> models.QuerySet:
    """The rows of `model` belonging to the given clients, cases and households."""
    link = client_link(model)
    if link is None:
        return model._default_manager.none()
    ids = {CLIENT: client_ids, CASE: case_ids, HOUSEHOLD: household_ids}[link.anchor]
    return model._default_manager.filter(**{f"{link.lookup}__in": list(ids)})


def client_data_models(inventory=None) -> list[type[models.Model]]:
    """Every model that holds personal data and hangs off a client, case or household,
    in the order the apps define them."""
    return [
        model
        for model in inventoried_models()
        if holds_personal_data(model, inventory) and client_link(model) is not None
    ]
