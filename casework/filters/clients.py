"""Filters of the client list: search by name and date of birth, narrow by place."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Client
from casework.selectors import municipalities_for, name_search_regex, regions_for
from regions.models import Municipality, Region


class ClientOrdering(django_filters.OrderingFilter):
    """Sorting by name means last name, then first name; ties always end on the id for stable pages."""

    EXPANSIONS = {
        "last_name": ("last_name", "first_name"),
        "date_of_birth": ("date_of_birth", "last_name", "first_name"),
    }

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            descending = param.startswith("-")
            field = self.param_map.get(param.lstrip("-"))
            if field is None:
                continue
            ordering += [f"-{name}" if descending else name for name in self.EXPANSIONS[field]]
        return qs.order_by(*ordering, "pk") if ordering else qs


# Search words shorter than this match the beginning of a name only.
MIN_SUBSTRING_LENGTH = 3


class ClientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name"),
        method="filter_name",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Vor- und/oder Nachname")}),
    )
    date_of_birth = django_filters.DateFilter(
        label=_("Geburtsdatum"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
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
    o = ClientOrdering(
        label=_("Sortierung"),
        fields=[("last_name", "name"), ("date_of_birth", "birth")],
        field_labels={"last_name": _("Name"), "date_of_birth": _("Geburtsdatum")},
    )

    class Meta:
        model = Client
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Set by filter_name when a word was too short for a search inside names.
        self.prefix_only = False
        self.filters["region"].queryset = regions_for(user)
        self.filters["municipality"].queryset = municipalities_for(user)

    def filter_name(self, queryset, name, value):
        """Every word must appear in the first or the last name, however it is spelt with accents.

        Staff type "Yilmaz" or "Oezdemir" on a German keyboard; the client is "Yılmaz" or "Özdemir".
        """
        for word in value.split()[:10]:
            if len(word) < MIN_SUBSTRING_LENGTH:
                # One or two letters occur inside most names: a substring search would read every
                # client of the district. They find the names that begin with them (an index
                # range), and the page says so.
                self.prefix_only = True
                queryset = queryset.filter(Q(first_name__istartswith=word) | Q(last_name__istartswith=word))
                continue
            match = Q(first_name__icontains=word) | Q(last_name__icontains=word)
            pattern = name_search_regex(word)
            if pattern:
                match |= Q(first_name__iregex=pattern) | Q(last_name__iregex=pattern)
            queryset = queryset.filter(match)
        return queryset
