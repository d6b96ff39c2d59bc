"""accounts.roles.restrict_cases: the case scope as the case list's indexes read it."""

import pytest

from accounts.roles import COORDINATION, restrict_cases, user_municipalities
from casework.models import Case
from regions.models import District, Municipality, Region
from tests.conftest import make_staff
from tests.factories import CaseFactory, ClientFactory

pytestmark = pytest.mark.django_db

ALL_REGIONS = ("Nord", "Mitte", "Süd")


def case_in(region: str) -> Case:
    municipality = Municipality.objects.filter(region__name=region).order_by("pk").first()
    return CaseFactory(client=ClientFactory(municipality=municipality))


def scope_sql(user) -> str:
    """The WHERE clause of the user's cases."""
    return str(restrict_cases(Case.objects.all(), user).query).split(" WHERE ", 1)[1]


def test_every_region_of_the_district_is_scoped_by_the_district_alone():
    user = make_staff(COORDINATION, region_names=ALL_REGIONS)
    assert set(Region.objects.filter(name__in=ALL_REGIONS)) == set(
        Region.objects.filter(district__name__contains="Coesfeld")
    )
    cases = [case_in(region) for region in ALL_REGIONS]
    assert "municipality_id" not in scope_sql(user)
    assert "district_id" in scope_sql(user)
    assert set(restrict_cases(Case.objects.all(), user)) == set(cases)


def test_some_regions_are_scoped_by_their_municipalities():
    user = make_staff(COORDINATION, region_names=("Nord", "Süd"))
    nord, mitte, sued = (case_in(region) for region in ALL_REGIONS)
    assert "municipality_id" in scope_sql(user)
    assert set(restrict_cases(Case.objects.all(), user)) == {nord, sued}
    assert mitte not in restrict_cases(Case.objects.all(), user)


def test_a_new_municipality_in_another_region_narrows_the_scope_again():
    """The district's size is read with the user's municipalities on every request: a
    municipality added to a region the user does not work in is outside their scope at once."""
    user = make_staff(COORDINATION, region_names=ALL_REGIONS)
    assert "municipality_id" not in scope_sql(user)
    district = District.objects.get(regions__name="Nord")
    other_region = Region.objects.create(district=district, name="Neu")
    Municipality.objects.create(region=other_region, name="Neustadt", ags="05558099")
    fresh = type(user).objects.get(pk=user.pk)
    assert {m.district_size for m in user_municipalities(fresh)} == {
        Municipality.objects.filter(region__district=district).count()
    }
    assert "municipality_id" in scope_sql(fresh)
