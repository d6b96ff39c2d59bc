import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from regions.models import AGS_VALIDATOR, District, Municipality, Region
from tests.factories import DistrictFactory, MunicipalityFactory, RegionFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    "Nord": {
        "Coesfeld": "05558012",
        "Rosendahl": "05558040",
        "Billerbeck": "05558008",
        "Havixbeck": "05558020",
    },
    "Mitte": {"Dülmen": "05558016", "Nottuln": "05558032"},
    "Süd": {
        "Ascheberg": "05558004",
        "Lüdinghausen": "05558024",
        "Olfen": "05558036",
        "Nordkirchen": "05558028",
        "Senden": "05558044",
    },
}


def test_kreis_coesfeld_is_loaded_with_its_key_and_code():
    district = District.objects.get(key="05558")
    assert district.name == "Kreis Coesfeld"
    assert district.code == "COE"
    assert sorted(district.regions.values_list("name", flat=True)) == ["Mitte", "Nord", "Süd"]


def test_eleven_municipalities_each_in_exactly_one_region_with_the_right_ags():
    municipalities = Municipality.objects.filter(region__district__key="05558").select_related("region")
    actual = {}
    for municipality in municipalities:
        actual.setdefault(municipality.region.name, {})[municipality.name] = municipality.ags
    assert actual == EXPECTED
    assert municipalities.count() == 11
    assert len({m.name for m in municipalities}) == 11


@pytest.mark.parametrize("ags", ["0555801", "055580120", "05558O12", "", "ABCDEFGH"])
def test_malformed_ags_is_rejected_with_a_clear_message(ags):
    municipality = Municipality(region=Region.objects.get(name="Nord"), name="Neu", ags=ags)
    with pytest.raises(ValidationError) as excinfo:
        municipality.full_clean()
    assert "ags" in excinfo.value.message_dict


def test_ags_must_belong_to_the_district_of_the_region():
    municipality = Municipality(region=Region.objects.get(name="Nord"), name="Münster", ags="05515000")
    with pytest.raises(ValidationError) as excinfo:
        municipality.full_clean()
    assert "gehört nicht zum Kreis" in excinfo.value.message_dict["ags"][0]


def test_ags_is_unique():
    with pytest.raises(IntegrityError):
        Municipality.objects.create(region=Region.objects.get(name="Süd"), name="Doppelt", ags="05558012")


def test_malformed_ags_is_refused_by_the_database_too():
    with pytest.raises(IntegrityError):
        Municipality.objects.create(region=Region.objects.get(name="Süd"), name="Kurz", ags="123")


def test_another_district_is_just_data():
    borken = DistrictFactory(name="Kreis Borken", key="05554", code="BOR")
    west = RegionFactory(district=borken, name="West")
    bocholt = MunicipalityFactory(region=west, name="Bocholt", ags="05554008")
    bocholt.full_clean()
    assert bocholt.district == borken
    assert AGS_VALIDATOR.regex.match(bocholt.ags)
