"""Import of clients with their cases: plan every row (the dry run), then apply the plan.

The natural keys: a client is its `externe_id` (Client.external_id, unique); its case is
the case of that client opened on `fall_eroeffnet_am`. A row whose client and case are
already as the file says is „unverändert“, so importing a file twice changes nothing.

Access: the importing user may only write clients living in the municipalities of their
regions (accounts.roles.region_ids); a superuser everywhere.
"""

import copy
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import CASE_MANAGEMENT, COORDINATION, district_ids
from casework import services as casework_services
from casework.models import Case, Client, LegalFramework
from casework.selectors import municipalities_for
from regions.models import Municipality

from . import parsing
from .report import RowAction, RowReport

REQUIRED_COLUMNS = ["externe_id", "vorname", "nachname", "kommune"]
OPTIONAL_COLUMNS = [
    "geburtsdatum",
    "geschlecht",
    "staatsangehoerigkeit",
    "aufenthaltsstatus",
    "gueltig_bis",
    "rechtskreise",
    "fall_eroeffnet_am",
    "case_manager",
]
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

MUNICIPALITY_OUTSIDE_REGIONS = "Kommune „%(value)s“ liegt außerhalb Ihrer Teilregionen."
# A row the importer may not learn anything about (an external id of a person outside their
# regions) says what any unusable row says and no more: not that the id exists, nor where.
ROW_NOT_IMPORTABLE = "Die Zeile kann nicht importiert werden."
DUPLICATE_KEY = "Die externe Kennung kommt schon in Zeile %(row)d vor."
# Also for an account of another district: whether a name is taken there is none of the importer's business.
UNKNOWN_CASE_MANAGER = "Case Manager/in „%(value)s“ ist unbekannt oder nicht aktiv."
CASE_MANAGER_OUTSIDE_REGION = "Case Manager/in „%(value)s“ arbeitet nicht in der Teilregion %(region)s."
CASE_MANAGER_WITHOUT_CASE = "Spalte „case_manager“ braucht ein Datum in „fall_eroeffnet_am“."
OPENED_IN_FUTURE = "Spalte „fall_eroeffnet_am“: Das Datum liegt in der Zukunft."

# Columns → Client fields. A column missing from the file leaves its field as it is.
FIELD_COLUMNS = {
    "first_name": "vorname",
    "last_name": "nachname",
    "date_of_birth": "geburtsdatum",
    "gender": "geschlecht",
    "nationality": "staatsangehoerigkeit",
    "residence_status": "aufenthaltsstatus",
    "residence_valid_until": "gueltig_bis",
    "municipality": "kommune",
}
FIELD_LABELS = {
    "first_name": "Vorname",
    "last_name": "Nachname",
    "date_of_birth": "Geburtsdatum",
    "gender": "Geschlecht",
    "nationality": "Staatsangehörigkeit",
    "residence_status": "Aufenthaltsstatus",
    "residence_valid_until": "gültig bis",
    "municipality": "Kommune",
    "legal_frameworks": "Rechtskreise",
}


@dataclass
class ClientPlan:
    report: RowReport
    external_id: str = ""
    client: Client | None = None
    fields: dict = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    legal_frameworks: list[LegalFramework] | None = None
    opened_on: object = None
    case: Case | None = None
    open_case: bool = False
    case_manager: User | None = None
    reassign: bool = False


class ClientImporter:
    kind = "klientinnen"
    required_columns = REQUIRED_COLUMNS
    columns = COLUMNS

    def __init__(self, *, user: User):
        self.user = user
        self.catalogues = parsing.Catalogues()
        self.allowed_municipalities = set(municipalities_for(user).values_list("pk", flat=True))

    # --- planning (no writes) ----------------------------------------------------------

    def plan(self, rows, present_columns, progress=None) -> list[ClientPlan]:
        self.present = set(present_columns)
        self._existing = self._existing_clients(rows)
        seen: dict[str, int] = {}
        plans = []
        for index, row in enumerate(rows, start=1):
            plan = self._plan_row(row)
            key = plan.external_id
            if key and key in seen:
                plan.report.action = RowAction.REJECTED
                plan.report.messages.insert(0, _(DUPLICATE_KEY) % {"row": seen[key]})
            elif key:
                seen[key] = row.number
            plans.append(plan)
            if progress:
                progress(index, len(rows))
        return plans

    @staticmethod
    def _existing_clients(rows) -> dict[str, Client]:
        """The clients the file names that exist already, read in a few queries rather than
        one per row (a 5,000-row file would otherwise wait for 5,000 round trips)."""
        keys = sorted({row.get("externe_id").strip() for row in rows} - {""})
        found = {}
        for start in range(0, len(keys), 1000):
            for client in Client.objects.filter(external_id__in=keys[start : start + 1000]):
                found[client.external_id] = client
        return found

    def _municipality(self, value: str, errors: list) -> Municipality | None:
        if not value:
            return None
        municipality = self.catalogues.municipality(value, errors)
        if municipality is not None and municipality.pk not in self.allowed_municipalities:
            errors.append(_(MUNICIPALITY_OUTSIDE_REGIONS) % {"value": value})
            return None
        return municipality

    def _case_manager(self, value: str, municipality: Municipality | None, errors: list) -> User | None:
        if not value:
            return None
        user = User.objects.filter(username=value, is_active=True).first()
        if (
            user is not None
            and not self.user.is_superuser
            and user.district_id not in district_ids(self.user)
        ):
            user = None
        if user is None:
            errors.append(_(UNKNOWN_CASE_MANAGER) % {"value": value})
            return None
        if user.is_superuser:
            return user
        works = user.groups.filter(name__in=[CASE_MANAGEMENT, COORDINATION]).exists()
        if not works or (municipality and not user.regions.filter(pk=municipality.region_id).exists()):
            region = municipality.region.name if municipality else "–"
            errors.append(_(CASE_MANAGER_OUTSIDE_REGION) % {"value": value, "region": region})
            return None
        return user

    def _plan_row(self, row) -> ClientPlan:
        values, errors = row.values, []
        external_id = parsing.text(values, "externe_id", errors, required=True, max_length=64)
        report = RowReport(row=row.number, key=external_id, action=RowAction.UNCHANGED)
        plan = ClientPlan(report=report, external_id=external_id)
        wanted = {
            "first_name": parsing.text(values, "vorname", errors, required=True, max_length=100),
            "last_name": parsing.text(values, "nachname", errors, required=True, max_length=100),
            "date_of_birth": parsing.date(values, "geburtsdatum", errors),
            "gender": parsing.gender(values, errors),
            "nationality": parsing.country(values, "staatsangehoerigkeit", errors),
            "residence_status": parsing.residence_status(values, errors),
            "residence_valid_until": parsing.date(values, "gueltig_bis", errors),
        }
        kommune = parsing.text(values, "kommune", errors, required=True)
        wanted["municipality"] = self._municipality(kommune, errors)
        plan.fields = {name: value for name, value in wanted.items() if FIELD_COLUMNS[name] in self.present}
        if "rechtskreise" in self.present:
            plan.legal_frameworks = self.catalogues.legal_frameworks_in(
                values.get("rechtskreise", ""), errors
            )
        plan.opened_on = parsing.date(values, "fall_eroeffnet_am", errors)
        if plan.opened_on and plan.opened_on > timezone.localdate():
            errors.append(_(OPENED_IN_FUTURE))
        manager_name = values.get("case_manager", "").strip()
        if manager_name and not values.get("fall_eroeffnet_am", "").strip():
            errors.append(_(CASE_MANAGER_WITHOUT_CASE))
        plan.case_manager = self._case_manager(manager_name, wanted["municipality"], errors)

        if external_id and not errors:
            plan.client = self._existing.get(external_id)
            if (
                plan.client is not None
                and not Client.objects.visible_to(self.user).filter(pk=plan.client.pk).exists()
            ):
                # Nothing else either: the model's checks below would run on the other
                # region's record and could name what it holds.
                plan.client = None
                report.action, report.messages = RowAction.REJECTED, [_(ROW_NOT_IMPORTABLE)]
                return plan
        # The model's rules too, so one dry run names every problem of the row.
        errors.extend(self._validate(plan))
        if errors:
            report.action, report.messages = RowAction.REJECTED, errors
            return plan
        self._compare(plan)
        return plan

    def _validate(self, plan: ClientPlan) -> list[str]:
        """The model's own rules (e.g. no birth date in the future), on an unsaved copy."""
        candidate = copy.copy(plan.client) if plan.client else Client(external_id=plan.external_id)
        for name, value in plan.fields.items():
            setattr(candidate, name, value)
        # The municipality comes from the catalogue (or is reported missing already): checking
        # that it exists again would cost a query per row and could only repeat a message.
        exclude = ["municipality"]
        exclude += [name for name in ("first_name", "last_name") if not getattr(candidate, name)]
        try:
            candidate.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            return [
                f"{FIELD_LABELS.get(name, name)}: {' '.join(messages)}"
                if name != "__all__"
                else " ".join(messages)
                for name, messages in error.message_dict.items()
            ]
        return []

    def _compare(self, plan: ClientPlan) -> None:
        report = plan.report
        if plan.client is None:
            report.action = RowAction.CREATE
            report.messages.append(_("Neue Klient/in."))
        else:
            plan.changed = [
                name for name, value in plan.fields.items() if getattr(plan.client, name) != value
            ]
            if plan.legal_frameworks is not None and {f.pk for f in plan.legal_frameworks} != set(
                plan.client.legal_frameworks.values_list("pk", flat=True)
            ):
                plan.changed.append("legal_frameworks")
            if plan.changed:
                report.action = RowAction.UPDATE
                labels = ", ".join(FIELD_LABELS[name] for name in plan.changed)
                report.messages.append(_("Geändert: %(fields)s.") % {"fields": labels})
        if plan.opened_on is None:
            return
        if plan.client is not None:
            plan.case = Case.objects.filter(Q(client=plan.client), opened_on=plan.opened_on).first()
        if plan.case is None:
            plan.open_case = True
            if report.action == RowAction.UNCHANGED:
                report.action = RowAction.UPDATE
            report.messages.append(
                _("Neuer Fall, eröffnet am %(date)s.") % {"date": f"{plan.opened_on:%d.%m.%Y}"}
            )
        elif plan.case_manager is not None and plan.case.case_manager_id != plan.case_manager.pk:
            # An empty cell leaves the case's assignment alone: a handover made in KIM after the
            # first import must not be undone by importing the old list again.
            plan.reassign = True
            if report.action == RowAction.UNCHANGED:
                report.action = RowAction.UPDATE
            report.messages.append(_("Fall %(ref)s: neue Zuständigkeit.") % {"ref": plan.case.reference})

    # --- applying (inside the caller's transaction) -------------------------------------

    def apply(self, plans: list[ClientPlan], progress=None) -> None:
        by = self.user
        for index, plan in enumerate(plans, start=1):
            client = plan.client
            if client is None:
                client = casework_services.client_create(
                    by=by,
                    legal_frameworks=plan.legal_frameworks or (),
                    external_id=plan.external_id,
                    **plan.fields,
                )
            elif plan.changed:
                changed_fields = {name: plan.fields[name] for name in plan.changed if name in plan.fields}
                client = casework_services.client_update(
                    client=client,
                    by=by,
                    legal_frameworks=plan.legal_frameworks if "legal_frameworks" in plan.changed else None,
                    **changed_fields,
                )
            if plan.open_case:
                casework_services.case_open(
                    by=by,
                    municipality=client.municipality,
                    client=client,
                    case_manager=plan.case_manager,
                    opened_on=plan.opened_on,
                    legal_frameworks=plan.legal_frameworks or (),
                )
            elif plan.reassign:
                casework_services.case_reassign(
                    case=plan.case, to_manager=plan.case_manager, by=by, note=_("Import")
                )
            if progress:
                progress(index, len(plans))
