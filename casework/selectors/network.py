"""Reads for the network directory: actors, their referrals and municipalities."""

from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import (
    Count,
    Prefetch,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from accounts.roles import (
    restrict_to_district,
    works_with_cases,
)
from kim.links import UrlForPks
from regions.models import Municipality

from ..models import (
    Actor,
    Case,
    ContactPerson,
    Referral,
    ReferralStatus,
    Topic,
)
from ..timeline import as_date, case_timeline, choice_labels  # noqa: F401 (the case page reads case_timeline here)

# --- The network directory -------------------------------------------------------------


def actors_visible_to(user) -> QuerySet:
    """Actors of the user's district; a superuser sees every district's actors.

    The network is shared by all KIM teams of a district, so regions do not narrow it.
    """
    return restrict_to_district(Actor.objects.all(), user, district_path="district_id")


def _municipalities_in_region_order() -> QuerySet:
    return Municipality.objects.select_related("region").order_by("region__name", "name")


def actor_list(*, user) -> QuerySet:
    """The directory: what each row shows, in a fixed number of queries whatever the row count."""
    return (
        actors_visible_to(user)
        .select_related("actor_type")
        .prefetch_related(
            Prefetch("municipalities", queryset=_municipalities_in_region_order()),
            Prefetch("topics", queryset=Topic.objects.only("name", "sort_order")),
            Prefetch(
                "contact_persons",
                queryset=ContactPerson.objects.filter(is_active=True),
                to_attr="active_contact_persons",
            ),
        )
    )


def actor_detail_queryset(*, user) -> QuerySet:
    """One actor with everything its page shows; filter it by pk."""
    return (
        actors_visible_to(user)
        .select_related("actor_type", "district")
        .prefetch_related(
            Prefetch("municipalities", queryset=_municipalities_in_region_order()),
            "topics",
            Prefetch("contact_persons", queryset=ContactPerson.objects.order_by("-is_active", "name")),
        )
    )


def municipalities_by_region(municipalities) -> list[tuple[Any, list]]:
    """[(region, [municipality, ...]), ...] in the order given (region, then name)."""
    groups: dict[Any, list] = {}
    for municipality in municipalities:
        groups.setdefault(municipality.region, []).append(municipality)
    return list(groups.items())


class ContactPersonRow(NamedTuple):
    name: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class ActorRow:
    """One row of the network directory, every value ready to print."""

    pk: int
    url: str
    name: str
    is_active: bool
    city: str
    type_name: str
    served_areas: list[str]
    topics: list[str]
    phone: str
    email: str
    # The first active contact person, shown when the actor has no phone or e-mail of its own.
    contact_person: ContactPersonRow | None


# The directory's rows read these columns (with `actor_rows` for the rest).
ACTOR_ROW_COLUMNS = ("pk", "name", "is_active", "city", "actor_type__name", "phone", "email", "district_id")


def actor_rows(rows) -> list[ActorRow]:
    """The directory's rows from `ACTOR_ROW_COLUMNS` values of one page of actors.

    Plain values, no model instances or prefetches (which build a queryset per actor): four
    queries whatever the number of rows, for where each actor works, its topics and its first
    active contact person. Where an actor works is a short list of labels: a fully served
    Teilregion is named once instead of listing its municipalities, and an actor serving every
    municipality of its district reads "ganzer Kreis".
    """
    rows = list(rows)
    ids = [row[0] for row in rows]
    districts = {row[-1] for row in rows}
    # Every municipality of these districts: names, regions, the regions' sizes.
    places = {}
    region_sizes: dict[int, int] = {}
    district_regions: dict[int, set[int]] = {}
    for pk, name, region_id, region_name, district_id in Municipality.objects.filter(
        region__district_id__in=districts
    ).values_list("pk", "name", "region_id", "region__name", "region__district_id"):
        places[pk] = (region_name, name, region_id)
        region_sizes[region_id] = region_sizes.get(region_id, 0) + 1
        district_regions.setdefault(district_id, set()).add(region_id)
    served: dict[int, list[tuple]] = {}
    for actor_id, municipality_id in Actor.municipalities.through.objects.filter(
        actor_id__in=ids
    ).values_list("actor_id", "municipality_id"):
        if municipality_id in places:  # Actor.clean: only municipalities of the actor's district
            served.setdefault(actor_id, []).append(places[municipality_id])
    topics: dict[int, list[str]] = {}
    for actor_id, name in (
        Actor.topics.through.objects.filter(actor_id__in=ids)
        .order_by("topic__sort_order", "topic__name")
        .values_list("actor_id", "topic__name")
    ):
        topics.setdefault(actor_id, []).append(name)
    contact_persons: dict[int, ContactPersonRow] = {}
    for actor_id, *person in (
        ContactPerson.objects.filter(actor_id__in=ids, is_active=True)
        .order_by("name", "pk")
        .values_list("actor_id", "name", "phone", "email")
    ):
        contact_persons.setdefault(actor_id, ContactPersonRow(*person))
    whole_district = str(_("ganzer Kreis"))
    detail = UrlForPks("network:detail")
    result = []
    for pk, name, is_active, city, type_name, phone, email, district_id in rows:
        labels: list[str] = []
        complete: set[int] = set()
        by_region: dict[int, list[tuple]] = {}
        for place in sorted(served.get(pk, ())):
            by_region.setdefault(place[2], []).append(place)
        for region_id, municipalities in by_region.items():
            if len(municipalities) == region_sizes.get(region_id):
                complete.add(region_id)
                labels.append(_("Teilregion %(region)s") % {"region": municipalities[0][0]})
            else:
                labels.extend(municipality_name for _region, municipality_name, _id in municipalities)
        if complete and complete == district_regions.get(district_id):
            labels = [whole_district]
        result.append(
            ActorRow(
                pk=pk,
                url=detail(pk),
                name=name,
                is_active=is_active,
                city=city,
                type_name=type_name,
                served_areas=labels,
                topics=topics.get(pk, []),
                phone=phone,
                email=email,
                contact_person=contact_persons.get(pk),
            )
        )
    return result


def actor_detail_referrals(*, actor, user) -> QuerySet[Referral]:
    """Referrals to the actor from cases the user may see; none for roles without case work.

    Only the case is joined, never its client: this list must not show names.
    """
    if not works_with_cases(user):
        return Referral.objects.none()
    return (
        Referral.objects.filter(actor=actor, case__in=Case.objects.visible_to(user))
        .select_related("case", "topic")
        .order_by("-referred_on", "-pk")
    )


def actor_referral_counts(*, actor, user) -> list[dict]:
    """How many of those referrals are in each status, every status listed (zeros too)."""
    counts = dict(
        actor_detail_referrals(actor=actor, user=user)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [
        {"status": status, "label": label, "count": counts.get(status, 0)}
        for status, label in ReferralStatus.choices
    ]


def municipalities_for_actor(*, user, actor=None) -> QuerySet:
    """The municipalities an actor may be said to serve: those of its district.

    For a new actor that is the user's district; a superuser without one may choose
    from every district (the first municipality then decides the actor's district).
    """
    municipalities = Municipality.objects.select_related("region__district").order_by(
        "region__district__name", "region__name", "name"
    )
    if actor is not None and actor.district_id:
        return municipalities.filter(region__district_id=actor.district_id)
    if user.district_id:
        return municipalities.filter(region__district_id=user.district_id)
    return municipalities if user.is_superuser else municipalities.none()
