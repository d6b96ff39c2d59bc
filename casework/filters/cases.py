"""Filters of the case list."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import region_ids
from casework.lifecycle import OPEN_PHASES, Phase
from casework.models import Case, FollowUp, LegalFramework
from casework.selectors import municipalities_for, regions_for
from regions.models import Municipality, Region

OPEN = "open"
MINE = "me"
UNASSIGNED = "none"


def _staff_for(user):
    staff = User.objects.filter(is_active=True, managed_cases__isnull=False).distinct()
    if not user.is_superuser:
        staff = staff.filter(regions__in=region_ids(user))
    return staff.order_by("last_name", "first_name")


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Suche"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Aktenzeichen oder Name")}),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Teilregion"),
        field_name="municipality__region",
        queryset=Region.objects.none(),
        empty_label=_("alle"),
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Kommune"), queryset=Municipality.objects.none(), empty_label=_("alle")
    )
    phase = django_filters.ChoiceFilter(
        label=_("Phase"),
        choices=[(OPEN, _("alle offenen")), *Phase.choices],
        method="filter_phase",
        empty_label=_("alle"),
    )
    manager = django_filters.ChoiceFilter(
        label=_("Case Manager/in"), method="filter_manager", empty_label=_("alle")
    )
    legal_framework = django_filters.ModelChoiceFilter(
        label=_("Rechtskreis"),
        field_name="legal_frameworks",
        queryset=LegalFramework.objects.filter(is_active=True),
        empty_label=_("alle"),
    )
    opened = django_filters.DateFromToRangeFilter(
        label=_("eröffnet zwischen"),
        field_name="opened_on",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Wiedervorlage überfällig"),
        method="filter_overdue",
        widget=forms.Select(choices=[("", _("egal")), ("true", _("ja")), ("false", _("nein"))]),
    )
    o = django_filters.OrderingFilter(
        label=_("Sortierung"),
        fields=[
            ("reference", "reference"),
            ("opened_on", "opened_on"),
            ("client__last_name", "name"),
            ("phase", "phase"),
            ("municipality__name", "municipality"),
            ("case_manager__last_name", "manager"),
        ],
    )

    class Meta:
        model = Case
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["region"].queryset = regions_for(user)
        self.filters["municipality"].queryset = municipalities_for(user)
        self.filters["manager"].extra["choices"] = [
            (MINE, _("meine Fälle")),
            (UNASSIGNED, _("nicht zugewiesen")),
            *[(str(u.pk), str(u)) for u in _staff_for(user)],
        ]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        words = value.split()
        name_match = Q()
        for word in words:
            name_match &= (
                Q(client__last_name__icontains=word)
                | Q(client__first_name__icontains=word)
                | Q(household__name__icontains=word)
            )
        return queryset.filter(Q(reference__iexact=value) | Q(reference__istartswith=value) | name_match)

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

    def filter_overdue(self, queryset, name, value):
        overdue = FollowUp.objects.filter(
            case=OuterRef("pk"), done_at__isnull=True, due_on__lt=timezone.localdate()
        )
        return queryset.filter(Exists(overdue)) if value else queryset.exclude(Exists(overdue))
