"""Filters of the network directory: where an actor works, what kind it is, what it offers."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import restrict_to_district
from casework.models import Actor, ActorType, ContactPerson, Topic
from regions.models import Municipality, Region

ACTIVE = "active"
INACTIVE = "inactive"
ALL = "all"


def _regions_of_district(user):
    regions = Region.objects.select_related("district").order_by("district__name", "name")
    return restrict_to_district(regions, user, district_path="district_id")


def _municipalities_of_district(user):
    municipalities = Municipality.objects.order_by("name")
    return restrict_to_district(municipalities, user, district_path="region__district_id")


class ActorOrdering(django_filters.OrderingFilter):
    """Sorting by type keeps names in order within a type; ties end on the id for stable pages."""

    def filter(self, qs, value):
        ordering = []
        for param in value or ():
            descending = param.startswith("-")
            field = self.param_map.get(param.lstrip("-"))
            if field is not None:
                ordering.append(f"-{field}" if descending else field)
        return qs.order_by(*ordering, "name", "pk")


class ActorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Suche"),
        method="filter_search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, Angebot oder Ansprechperson")}
        ),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Teilregion"), queryset=Region.objects.none(), method="filter_region", empty_label=_("alle")
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Kommune"),
        queryset=Municipality.objects.none(),
        method="filter_municipality",
        empty_label=_("alle"),
    )
    actor_type = django_filters.ModelChoiceFilter(
        label=_("Akteursart"), queryset=ActorType.objects.all(), empty_label=_("alle")
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Handlungsfeld"), queryset=Topic.objects.all(), method="filter_topic", empty_label=_("alle")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(ACTIVE, _("nur aktive")), (INACTIVE, _("nur inaktive")), (ALL, _("aktive und inaktive"))],
        method="filter_status",
        empty_label=None,
    )
    o = ActorOrdering(
        label=_("Sortierung"),
        fields=[("name", "name"), ("actor_type__name", "type")],
        field_labels={"name": _("Name"), "actor_type__name": _("Akteursart")},
    )

    class Meta:
        model = Actor
        fields: list[str] = []

    def __init__(self, data=None, *args, user, **kwargs):
        # "nur aktive" is the default: applied when the URL says nothing (or nonsense) about
        # the status, and shown as selected in the form.
        data = data.copy() if data is not None else {}
        if data.get("status") not in (ACTIVE, INACTIVE, ALL):
            data["status"] = ACTIVE
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.filters["region"].queryset = _regions_of_district(user)
        self.filters["municipality"].queryset = _municipalities_of_district(user)

    def filter_search(self, queryset, name, value):
        for word in value.split():
            contact_person = ContactPerson.objects.filter(actor=OuterRef("pk"), name__icontains=word)
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(description__icontains=word) | Exists(contact_person)
            )
        return queryset

    def filter_region(self, queryset, name, value):
        served = Actor.municipalities.through.objects.filter(actor=OuterRef("pk"), municipality__region=value)
        return queryset.filter(Exists(served))

    def filter_municipality(self, queryset, name, value):
        served = Actor.municipalities.through.objects.filter(actor=OuterRef("pk"), municipality=value)
        return queryset.filter(Exists(served))

    def filter_topic(self, queryset, name, value):
        offered = Actor.topics.through.objects.filter(actor=OuterRef("pk"), topic=value)
        return queryset.filter(Exists(offered))

    def filter_status(self, queryset, name, value):
        if value == ACTIVE:
            return queryset.filter(is_active=True)
        if value == INACTIVE:
            return queryset.filter(is_active=False)
        return queryset
