"""What a statistic covers: a district, one region or one municipality.

A user may only choose scopes within their own regions (superusers: everything),
so `scope_choices` is where the access rule of `accounts.roles` becomes the list
of scopes a user may request. A value outside that list is a form error: no
figures of another region are ever computed for them.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import region_ids
from regions.models import District, Municipality, Region

DISTRICT = "kreis"
REGION = "region"
MUNICIPALITY = "kommune"


@dataclass(frozen=True)
class Scope:
    """The municipalities a statistic counts: those of a district's (chosen) regions, or one.

    A scope is its district and its list of municipalities, resolved once when the choices
    are built, so the figures filter cases on their own columns instead of joining
    municipalities and regions for every case. A case's district is always its
    municipality's, so the district adds no condition; it lets the case indexes that lead
    with the district (`case_district_opened_idx`) serve the scope as one index range.
    """

    kind: str
    label: str
    district_id: int
    municipality_ids: tuple[int, ...]
    district_name: str = ""

    def q(self, prefix: str = "") -> Q:
        """A filter for cases (or, with `prefix` like "case__", for rows that lead to a case)."""
        return Q(
            **{
                f"{prefix}district_id": self.district_id,
                f"{prefix}municipality_id__in": self.municipality_ids,
            }
        )


@dataclass(frozen=True)
class ScopeChoices:
    """The scopes one user may choose, keyed by the value in the URL."""

    scopes: dict[str, Scope]
    grouped_choices: list[tuple[str, list[tuple[str, str]]]]

    @property
    def default(self) -> str | None:
        return next(iter(self.scopes), None)


def scope_choices(user) -> ScopeChoices:
    """Districts, regions and municipalities the user may see figures for, in three queries.

    "Whole district" for a user with only some of its regions means those regions;
    its label then names them, so no one mistakes it for the whole district.
    """
    regions = Region.objects.select_related("district").order_by("district__name", "name")
    if not user.is_superuser:
        regions = regions.filter(pk__in=region_ids(user))
    regions = list(regions)
    municipalities = list(
        Municipality.objects.filter(region__in=[r.pk for r in regions])
        .select_related("region")
        .order_by("name")
    )
    all_region_ids_by_district = _all_region_ids_by_district(user, regions)
    regions_by_id = {region.pk: region for region in regions}
    municipality_ids_by_region: dict[int, list[int]] = {}
    for municipality in municipalities:
        municipality_ids_by_region.setdefault(municipality.region_id, []).append(municipality.pk)

    def municipality_ids(region_ids) -> tuple[int, ...]:
        return tuple(
            sorted(pk for region_id in region_ids for pk in municipality_ids_by_region.get(region_id, ()))
        )

    scopes: dict[str, Scope] = {}
    districts: dict[int, District] = {r.district_id: r.district for r in regions}
    district_choices, region_choices, municipality_choices = [], [], []
    for district in districts.values():
        own = [r for r in regions if r.district_id == district.pk]
        ids = tuple(r.pk for r in own)
        if set(ids) == all_region_ids_by_district.get(district.pk, set(ids)):
            label = _("%(district)s (gesamt)") % {"district": district.name}
        else:
            label = _("%(district)s: Teilregionen %(regions)s") % {
                "district": district.name,
                "regions": ", ".join(r.name for r in own),
            }
        value = f"{DISTRICT}-{district.key}"
        scopes[value] = Scope(
            DISTRICT, label, district.pk, municipality_ids(ids), district_name=district.name
        )
        district_choices.append((value, label))
    for region in regions:
        value = f"{REGION}-{region.pk}"
        label = _("Teilregion %(region)s") % {"region": region.name}
        if len(districts) > 1:
            label = f"{label} ({region.district.name})"
        scopes[value] = Scope(
            REGION,
            label,
            region.district_id,
            municipality_ids([region.pk]),
            district_name=region.district.name,
        )
        region_choices.append((value, label))
    for municipality in municipalities:
        value = f"{MUNICIPALITY}-{municipality.ags}"
        label = _("%(municipality)s (Teilregion %(region)s)") % {
            "municipality": municipality.name,
            "region": municipality.region.name,
        }
        district = districts[regions_by_id[municipality.region_id].district_id]
        scopes[value] = Scope(
            MUNICIPALITY, label, district.pk, (municipality.pk,), district_name=district.name
        )
        municipality_choices.append((value, label))
    grouped = [
        (str(_("Kreis")), district_choices),
        (str(_("Teilregionen")), region_choices),
        (str(_("Kommunen")), municipality_choices),
    ]
    return ScopeChoices(scopes, [(group, choices) for group, choices in grouped if choices])


def _all_region_ids_by_district(user, regions: list[Region]) -> dict[int, set[int]]:
    """Every region of the user's districts, to tell "whole district" from "some regions"."""
    if user.is_superuser:
        by_district: dict[int, set[int]] = {}
        for region in regions:
            by_district.setdefault(region.district_id, set()).add(region.pk)
        return by_district
    by_district = {}
    for region_id, district_id in Region.objects.filter(
        district__in={r.district_id for r in regions}
    ).values_list("pk", "district_id"):
        by_district.setdefault(district_id, set()).add(region_id)
    return by_district
