"""Filters of the case list."""

import datetime as dt
from collections import defaultdict

import django_filters
from django import forms
from django.conf import settings
from django.db import connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import Col
from django.db.models.functions import Cast
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import district_ids
from casework.lifecycle import OPEN_PHASES, Phase
from casework.models import EXPIRING_RESIDENCE_STATUSES, Case, Client, FollowUp, has_legal_framework_bit
from casework.names import normalise_name, person_name
from casework.references import COMPLETE_REFERENCE_PATTERN, REFERENCE_START_PATTERN
from casework.selectors import case_filter_municipalities, case_manager_candidates, legal_framework_catalogue
from kim.widgets import FastSelect

OPEN = "open"
RESIDENCE_EXPIRING = "expiring"
MINE = "me"
UNASSIGNED = "none"


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Suche"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Aktenzeichen oder Name")}),
    )
    # Regions and municipalities filter by the municipality ids the case indexes carry; their
    # choices come from the list the access check already read (accounts.roles).
    region = django_filters.ChoiceFilter(
        label=_("Teilregion"), method="filter_region", empty_label=_("alle"), widget=FastSelect
    )
    municipality = django_filters.ChoiceFilter(
        label=_("Kommune"), method="filter_municipality", empty_label=_("alle"), widget=FastSelect
    )
    phase = django_filters.ChoiceFilter(
        label=_("Phase"),
        choices=[(OPEN, _("alle offenen")), *Phase.choices],
        method="filter_phase",
        empty_label=_("alle"),
        widget=FastSelect,
    )
    manager = django_filters.ChoiceFilter(
        label=_("Case Manager/in"), method="filter_manager", empty_label=_("alle"), widget=FastSelect
    )
    legal_framework = django_filters.ChoiceFilter(
        label=_("Rechtskreis"),
        method="filter_legal_framework",
        empty_label=_("alle"),
        widget=FastSelect,
    )
    opened = django_filters.DateFromToRangeFilter(
        label=_("eröffnet zwischen"),
        field_name="opened_on",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Wiedervorlage überfällig"),
        method="filter_overdue",
        widget=FastSelect(choices=[("", _("egal")), ("true", _("ja")), ("false", _("nein"))]),
    )
    residence = django_filters.ChoiceFilter(
        label=_("Aufenthalt"),
        method="filter_residence",
        empty_label=_("egal"),
        choices=[(RESIDENCE_EXPIRING, _("Titel, Duldung oder Fiktion läuft bald ab"))],
        widget=FastSelect,
    )
    o = django_filters.OrderingFilter(
        label=_("Sortierung"),
        # Only orders the case indexes serve (Case.Meta.indexes): a sort by a joined column
        # would sort every visible case before showing the first 50.
        fields=[
            ("reference", "reference"),
            ("opened_on", "opened_on"),
            ("search_name", "name"),
        ],
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The catalogue, read once: the choices (active ones) and the names in the rows (all).
        self.legal_frameworks = legal_framework_catalogue()
        self.filters["legal_framework"].extra["choices"] = [
            (str(framework.pk), framework.name) for framework in self.legal_frameworks if framework.is_active
        ]
        municipalities = self.municipalities = case_filter_municipalities(user)
        # The districts the user's cases lie in (accounts.roles.restrict_cases): the follow-ups'
        # copy of the case's district narrows "Wiedervorlage überfällig" before any case is read.
        self.district_ids = None if user.is_superuser else district_ids(user)
        self.municipalities_by_region = defaultdict(list)
        regions = {}
        for municipality in municipalities:
            self.municipalities_by_region[municipality.region_id].append(municipality.pk)
            regions[municipality.region_id] = municipality.region_name
        self.filters["region"].extra["choices"] = [
            (str(pk), name) for pk, name in sorted(regions.items(), key=lambda region: region[1])
        ]
        self.filters["municipality"].extra["choices"] = [(str(m.pk), m.name) for m in municipalities]
        # The staff's names, read once: the choices and the rows' case managers.
        self.case_managers = {
            pk: person_name(first, last, username)
            for pk, first, last, username in case_manager_candidates(user=user).values_list(
                "pk", "first_name", "last_name", "username"
            )
        }
        self.filters["manager"].extra["choices"] = [
            (MINE, _("meine Fälle")),
            (UNASSIGNED, _("nicht zugewiesen")),
            *[(str(pk), name) for pk, name in self.case_managers.items()],
        ]

    @property
    def qs(self):
        # The id breaks ties, so a page boundary never falls between two equal names or dates.
        cases = super().qs
        ordering = cases.query.order_by or Case._meta.ordering
        if not any(term.lstrip("-") in ("id", "pk", "reference") for term in ordering):
            direction = "-" if str(ordering[0]).startswith("-") else ""
            cases = cases.order_by(*ordering, f"{direction}id")
        return cases

    def filter_search(self, queryset, name, value):
        """An Aktenzeichen (whole or its beginning) or words of a name, however spelt.

        Names are matched in Case.search_name (casework/names.py) with one trigram index on
        PostgreSQL: "mueller", "muller" and "Müller" all find Müller."""
        value = value.strip()
        if not value:
            return queryset
        if REFERENCE_START_PATTERN.match(value):
            reference = value.upper()
            if COMPLETE_REFERENCE_PATTERN.match(reference):
                return queryset.filter(reference=reference)
            return queryset.filter(reference__startswith=reference)
        words = normalise_name(value).split()
        if connections[queryset.db].vendor == "postgresql":
            queryset = with_typed_district(queryset)
        for word in words:
            queryset = queryset.filter(search_name__contains=word)
        return queryset

    def filter_region(self, queryset, name, value):
        return narrow_in(queryset, "municipality_id", self.municipalities_by_region[int(value)])

    def filter_municipality(self, queryset, name, value):
        return narrow_in(queryset, "municipality_id", [int(value)])

    def filter_phase(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(phase__in=OPEN_PHASES)
        return queryset.filter(phase=value)

    def filter_manager(self, queryset, name, value):
        if value == MINE:
            return queryset.filter(case_manager=self.user)
        if value == UNASSIGNED:
            return queryset.filter(case_manager__isnull=True)
        return queryset.filter(case_manager_id=value)

    def filter_legal_framework(self, queryset, name, value):
        framework = int(value)
        bit = next((item.bit for item in self.legal_frameworks if item.pk == framework), None)
        if bit is not None:
            # The framework's bit, which the list's indexes carry (Case.legal_framework_bits).
            return queryset.filter(has_legal_framework_bit(bit))
        # EXISTS rather than a join: no duplicate rows, and no DISTINCT over the whole list.
        chosen = Case.legal_frameworks.through.objects.filter(
            case=OuterRef("pk"), legalframework_id=framework
        )
        return queryset.filter(ExistsPerRow(chosen))

    def filter_residence(self, queryset, name, value):
        return expiring_residence_cases(queryset, self.district_ids)

    def filter_overdue(self, queryset, name, value):
        # From the open follow-ups of the user's districts (a partial index) to their cases: few
        # rows, however many cases and however many other districts.
        overdue = FollowUp.objects.overdue(timezone.localdate())
        if self.district_ids is not None:
            overdue = overdue.filter(district_id__in=self.district_ids)
        overdue = overdue.order_by().values("case_id")
        if not value:
            return queryset.exclude(pk__in=overdue)
        if connections[queryset.db].vendor == "postgresql":
            # As an array of ids, so the planner looks the few cases up by their key instead of
            # hashing the follow-ups and reading every case of the district to probe them.
            return queryset.filter(InArray("pk", overdue))
        return queryset.filter(pk__in=overdue)


def expiring_residence_cases(queryset: QuerySet, district_ids: list[int] | None) -> QuerySet:
    """The cases whose client, or any member of whose household, holds a residence title, a
    Duldung or a Fiktionsbescheinigung that runs out within the warning period (or ran out).

    From the expiring clients (a partial index on the expiry date) to their cases: few rows,
    however many cases the district has."""
    horizon = timezone.localdate() + dt.timedelta(weeks=settings.KIM_RESIDENCE_WARNING_WEEKS)
    expiring = Client.objects.filter(
        residence_status__in=EXPIRING_RESIDENCE_STATUSES, residence_valid_until__lte=horizon
    )
    if district_ids is not None:
        expiring = expiring.filter(municipality__region__district_id__in=district_ids)
    people = expiring.order_by().values("pk")
    households = expiring.filter(household__isnull=False).order_by().values("household_id")
    if connections[queryset.db].vendor == "postgresql":
        return queryset.filter(Q(InArray("client_id", people)) | Q(InArray("household_id", households)))
    return queryset.filter(Q(client_id__in=people) | Q(household_id__in=households))


def _replace_in_list(queryset: QuerySet, column: str, replace) -> QuerySet | None:
    """A copy of the queryset with its IN list on `column` (from accounts.roles.restrict_cases)
    replaced by `replace(clause)`, or None when it has no such list."""
    where = queryset.query.where
    if where.connector != AND or where.negated:
        return None
    for index, clause in enumerate(where.children):
        if (
            isinstance(clause, In)
            and isinstance(clause.lhs, Col)
            and clause.lhs.target.attname == column
            and isinstance(clause.rhs, (list, tuple, set))
        ):
            replaced = queryset.all()  # a copy of the query: this one's clauses stay as they are
            replaced.query.where.children[index] = replace(clause)
            return replaced
    return None


def narrow_in(queryset: QuerySet, column: str, values: list) -> QuerySet:
    """`queryset.filter(<column>__in=values)`, folded into the IN list on that column the
    queryset has already (the user's municipalities: accounts.roles.restrict_cases).

    Both select the intersection, but PostgreSQL multiplies the selectivities of two IN lists
    on one column: it then expects a region's 20,000 cases to be 1,400, and sorts all of them
    instead of reading the list's index in order up to the count cap. One list holding the
    intersection selects the same rows and is estimated right."""
    wanted = set(values)
    narrowed = _replace_in_list(
        queryset,
        column,
        lambda clause: type(clause)(clause.lhs, [value for value in clause.rhs if value in wanted]),
    )
    return queryset.filter(**{f"{column}__in": values}) if narrowed is None else narrowed


def with_typed_district(queryset: QuerySet) -> QuerySet:
    """The user's one district as `district_id = <bigint>` instead of `IN (<integer>)`, for the
    name search on PostgreSQL.

    The trigram index (casework migration 0005) leads with the district through btree_gin, and
    btree_gin compares a bigint column only with a bigint and never with a list: with the plain
    parameter PostgreSQL reads every district's matches of a name and ANDs them with the whole
    district (a common name: 5.2 instead of 2.9 ms). Only here: for the other filters the
    typed district makes PostgreSQL AND the whole district from that index into plans that
    need no district at all."""

    def typed(clause):
        if len(clause.rhs) != 1:
            return clause
        (district,) = clause.rhs
        return Exact(clause.lhs, Cast(Value(district), BigIntegerField()))

    typed_queryset = _replace_in_list(queryset, "district_id", typed)
    return queryset if typed_queryset is None else typed_queryset


class ExistsPerRow(Exists):
    """EXISTS tested case by case in list order (OFFSET 0 keeps PostgreSQL from turning it into a
    join): the list then stops at the count cap, and the plan stays on one process; as a join
    PostgreSQL plans it in parallel, and starting the workers costs more than the whole read."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


class InArray(Func):
    """`column = ANY(ARRAY(subquery))` (PostgreSQL): the subquery read once, as an array."""

    output_field = BooleanField()

    def __init__(self, column: str, queryset):
        super().__init__(F(column), Subquery(queryset))

    def as_sql(self, compiler, connection, **extra_context):
        (column, column_params), (values, values_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        # The subquery compiles in parentheses already: ARRAY(SELECT ...).
        return f"{column} = ANY(ARRAY{values})", (*column_params, *values_params)
