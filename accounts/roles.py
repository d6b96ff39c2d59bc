"""The roles staff can have, as Django groups, and who may see and change which case.

This module is the one place where access rules live. Views, the admin, searches
and exports ask it; none of them decides on its own.
"""

from collections import Counter
from typing import NamedTuple

from django.db.models import QuerySet

from kim.sql import fetch_all

CASE_MANAGEMENT = "Case Management"
COORDINATION = "Koordination"
STATISTICS = "Statistik"
ADMINISTRATION = "Administration"

ALL_ROLES = (CASE_MANAGEMENT, COORDINATION, STATISTICS, ADMINISTRATION)


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_kim_role_names"):
        _read_access(user)
    return role in user._kim_role_names


def is_coordinator(user) -> bool:
    return user.is_superuser or has_role(user, COORDINATION)


def needs_second_factor(user) -> bool:
    """Whether the user must confirm each session with a one-time code (TOTP) before any page.

    Everyone with more than case-level rights: superusers (every district's cases), staff
    (the admin) and the Administration role (staff accounts and catalogues). A password alone
    must not open more than one caseload (kim.middleware.SecondFactorMiddleware)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.is_staff or has_role(user, ADMINISTRATION)


def works_with_cases(user) -> bool:
    """Whether the user may see personal case data at all (Statistik may not)."""
    return user.is_superuser or has_role(user, CASE_MANAGEMENT) or has_role(user, COORDINATION)


class ScopeMunicipality(NamedTuple):
    """A municipality of the user's regions, as the access checks, the case scope and the case
    list's filters read it."""

    pk: int
    name: str
    region_id: int
    region_name: str
    district_id: int
    # The number of municipalities of its district: whether the user's regions cover it whole.
    district_size: int | None


# Plain SQL: it runs on every request, and as a queryset (a Subquery for the district's size,
# model instances for three tables) it cost ~1.7 ms of Python against ~0.2 ms. The user's roles
# and municipalities in one statement: one round trip instead of two on every request.
USER_ACCESS_SQL = """
    SELECT 'role', grp.name, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR(100)),
           CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)
    FROM auth_group grp
    JOIN accounts_user_groups member ON member.group_id = grp.id
    WHERE member.user_id = %s
    UNION ALL
    SELECT 'municipality', municipality.name, municipality.id, region.id, region.name, region.district_id,
           (SELECT COUNT(*) FROM regions_municipality other
            JOIN regions_region other_region ON other_region.id = other.region_id
            WHERE other_region.district_id = region.district_id)
    FROM regions_municipality municipality
    JOIN regions_region region ON region.id = municipality.region_id
    JOIN accounts_user_regions staff ON staff.region_id = region.id
    WHERE staff.user_id = %s
    ORDER BY 1, 2, 3
"""


def _read_access(user) -> None:
    """The user's role names and municipalities, read once per request and kept on the user
    object (templates and access checks ask many times)."""
    roles, municipalities = [], []
    for kind, name, pk, region_id, region_name, district_id, district_size in fetch_all(
        USER_ACCESS_SQL, [user.pk, user.pk]
    ):
        if kind == "role":
            roles.append(name)
        else:
            municipalities.append(
                ScopeMunicipality(pk, name, region_id, region_name, district_id, district_size)
            )
    user._kim_role_names = frozenset(roles)
    user._kim_municipalities = municipalities


def user_municipalities(user) -> list[ScopeMunicipality]:
    """The municipalities of the user's regions, with their regions and districts, by name: read
    once per request (one query serves the roles, the access checks, the case scope and the
    filter choices).

    Each carries `district_size`, the number of municipalities of its district, so the case
    scope knows when the user's regions cover whole districts (`restrict_cases`)."""
    if not hasattr(user, "_kim_municipalities"):
        _read_access(user)
    return user._kim_municipalities


def region_ids(user) -> list[int]:
    if not hasattr(user, "_kim_region_ids"):
        # A region without municipalities holds no cases, clients or actors: nothing is lost.
        user._kim_region_ids = sorted({m.region_id for m in user_municipalities(user)})
    return user._kim_region_ids


def district_ids(user) -> list[int]:
    """The districts of the user's regions."""
    if not hasattr(user, "_kim_district_ids"):
        user._kim_district_ids = sorted({m.district_id for m in user_municipalities(user)})
    return user._kim_district_ids


def restrict_to_regions(queryset: QuerySet, user, *, region_path: str) -> QuerySet:
    """Rows in the user's regions: all for superusers, none for roles without case work.

    `region_path` leads from the queryset's model to the region ("pk" for regions themselves).
    """
    if user.is_superuser:
        return queryset
    if not works_with_cases(user):
        return queryset.none()
    return queryset.filter(**{f"{region_path}__in": region_ids(user)})


def restrict_cases(queryset: QuerySet, user, *, case_path: str = "") -> QuerySet:
    """Cases the user may read: their regions' cases, nothing for roles without case work.

    `case_path` ("case__") applies the rule to rows of a case (its follow-ups, contacts)."""
    if user.is_superuser:
        return queryset
    if not works_with_cases(user):
        return queryset.none()
    municipalities = user_municipalities(user)
    # The municipality decides; the district follows from it (Case.clean) and is named as well
    # because the case list's indexes lead with it. Whoever works in every region of their
    # districts needs the district alone: a list of all its municipalities only makes
    # PostgreSQL filter each index entry again (page 1,000: 13 ms instead of 5).
    scope = {f"{case_path}district_id__in": district_ids(user)}
    covered = Counter(m.district_id for m in municipalities)
    if any(covered[m.district_id] != m.district_size for m in municipalities):
        scope[f"{case_path}municipality_id__in"] = [m.pk for m in municipalities]
    return queryset.filter(**scope)


def restrict_clients(queryset: QuerySet, user) -> QuerySet:
    """Clients living in the user's regions."""
    return restrict_to_regions(queryset, user, region_path="municipality__region")


def restrict_to_district(queryset: QuerySet, user, *, district_path: str) -> QuerySet:
    """Rows of the user's district: the network is shared by all KIM teams of a district,
    so regions do not narrow it. All for superusers, none for a user without a district.

    `district_path` leads from the queryset's model to the district's id (e.g. "district_id").
    """
    if user.is_superuser:
        return queryset
    if not user.district_id:
        return queryset.none()
    return queryset.filter(**{district_path: user.district_id})


def can_edit_case(user, case) -> bool:
    """Case managers write the cases assigned to them; Koordination all cases of its regions."""
    if user.is_superuser:
        return True
    if case.municipality.region_id not in region_ids(user):
        return False
    if has_role(user, COORDINATION):
        return True
    return has_role(user, CASE_MANAGEMENT) and case.case_manager_id == user.pk


def can_register_clients(user) -> bool:
    """Staff with case work and at least one region register clients; superusers always."""
    return user.is_superuser or (works_with_cases(user) and bool(region_ids(user)))


def can_edit_client(user, client) -> bool:
    """Staff with case work write the clients living in their regions; superusers all clients."""
    if user.is_superuser:
        return True
    return works_with_cases(user) and client.municipality.region_id in region_ids(user)


def can_assign_cases(user) -> bool:
    return is_coordinator(user)


def can_view_statistics(user) -> bool:
    """Koordination and Statistik see the figures of their regions (counts, never names);
    superusers all. Case managers work with their cases, not with statistics."""
    if user.is_superuser:
        return True
    return (has_role(user, COORDINATION) or has_role(user, STATISTICS)) and bool(region_ids(user))


def can_edit_network(user) -> bool:
    """Koordination and case managers maintain the network directory; Statistik only reads it."""
    return is_coordinator(user) or works_with_cases(user)


# --- Structural barriers, themes, case conferences, team capacity (structural app) ---------


def can_view_structural(user) -> bool:
    """Barriers and themes: staff with case work (Statistik works with figures only)."""
    return works_with_cases(user)


def can_curate_themes(user) -> bool:
    """Koordination gathers barriers into themes, merges, renames and escalates them."""
    return is_coordinator(user)


def can_view_steering(user) -> bool:
    """The steering page holds counts and theme titles, never a person: Statistik may see it too."""
    return works_with_cases(user) or has_role(user, STATISTICS)


def can_view_capacity(user) -> bool:
    """Caseloads per member of staff are for the team leads of the regions concerned."""
    return is_coordinator(user)


def restrict_barriers(queryset: QuerySet, user) -> QuerySet:
    """Barriers the user may read: a case manager those met in cases of their regions;
    Koordination, who curates themes for the whole district, every barrier of its district."""
    if user.is_superuser:
        return queryset
    if has_role(user, COORDINATION):
        return restrict_to_district(queryset, user, district_path="case__district_id")
    return restrict_to_regions(queryset, user, region_path="case__municipality__region")


def can_import(user) -> bool:
    """Koordination imports clients, cases and actors from files; superusers too."""
    return is_coordinator(user)


# --- The admin: a district's administrator manages their district only ----------------------


def administered_district_ids(user) -> list[int]:
    """The districts whose staff, network, regions and records a (non-superuser) admin user
    manages in the admin: the district of their account, else the districts of their regions."""
    if user.district_id:
        return [user.district_id]
    return district_ids(user)


def _audit_scope(ids):
    from django.db.models import Q

    from regions.models import District

    # Entries by the district's staff, and entries about its cases (an Aktenzeichen starts
    # with the district's code), e.g. a superuser's reads of them.
    scope = Q(user__district_id__in=ids)
    for code in District.objects.filter(pk__in=ids).values_list("code", flat=True):
        scope |= Q(case_reference__startswith=f"{code}-")
    return scope


def _staff_usernames(ids):
    from django.db.models import Q

    from accounts.models import User

    return Q(username__in=User.objects.filter(district_id__in=ids).values("username"))


def _deletion_log_scope(ids):
    from django.db.models import Q

    from casework.models import Client, Household

    return Q(client_id__in=Client.objects.filter(municipality__region__district_id__in=ids).values("pk")) | Q(
        household_id__in=Household.objects.filter(municipality__region__district_id__in=ids).values("pk")
    )


def _q(**lookups):
    from django.db.models import Q

    return Q(**lookups)


def _path(path: str):
    from django.db.models import Q

    return lambda ids: Q(**{f"{path}__in": ids})


# Every model of the admin that holds a district's data (people, its network, its records),
# with the condition that keeps a district's rows: kim.admin applies it to lists, change pages,
# searches, autocompletes, list filters and the choices of other models' forms. Case data is
# narrowed by restrict_cases (casework.admin.mixins.CaseScopeMixin and its kin) instead.
ADMIN_DISTRICT_SCOPES = {
    # Never a superuser's account: whoever may change it could take over every district.
    "accounts.user": lambda ids: _path("district_id")(ids) & ~_q(is_superuser=True),
    "regions.district": _path("pk"),
    "regions.region": _path("district_id"),
    "regions.municipality": _path("region__district_id"),
    "casework.actor": _path("district_id"),
    "casework.contactperson": _path("actor__district_id"),
    "otp_totp.totpdevice": _path("user__district_id"),
    "audit.auditentry": _audit_scope,
    "axes.accessattempt": _staff_usernames,
    "axes.accesslog": _staff_usernames,
    "privacy.deletionlog": _deletion_log_scope,
    # Background work: a job and a sent digest belong to the district of the account behind them.
    "jobs.job": _path("owner__district_id"),
    "reminders.digestsent": _path("user__district_id"),
}

# Models of the admin that hold no district's data: the catalogues every district shares, the
# roles (Django groups) and the runs of the scheduled tasks (one run covers every district and
# records counts only).
ADMIN_SHARED_MODELS = frozenset(
    {
        "auth.group",
        "jobs.scheduledrun",
        "casework.topic",
        "casework.actortype",
        "casework.closurereason",
        "casework.legalframework",
        "casework.datacategory",
    }
)


def restrict_admin_rows(queryset: QuerySet, user) -> QuerySet:
    """The rows of a model with district data that `user` may see in the admin: all for
    superusers, their district's for everyone else (none without a district)."""
    scope = ADMIN_DISTRICT_SCOPES.get(queryset.model._meta.label_lower)
    if scope is None or user.is_superuser:
        return queryset
    ids = administered_district_ids(user)
    if not ids:
        return queryset.none()
    return queryset.filter(scope(ids))
