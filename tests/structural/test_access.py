import pytest
from django.urls import reverse

from accounts.roles import CASE_MANAGEMENT, COORDINATION, STATISTICS
from structural import selectors, services
from structural.models import Barrier, EscalationStep, Theme
from tests.conftest import make_staff
from tests.factories import coesfeld

from .conftest import case_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def barriers(jobcenter):
    """One barrier in each region of Kreis Coesfeld, with descriptions to look for."""
    return {
        region: services.barrier_create(
            case=case_in(place), by=None, actor=jobcenter, description=f"Hürde {region}"
        )
        for region, place in (("Nord", "Coesfeld"), ("Mitte", "Dülmen"), ("Süd", "Senden"))
    }


def test_a_case_manager_sees_only_barriers_of_their_own_regions(barriers):
    user = make_staff(CASE_MANAGEMENT, region_names=("Nord", "Mitte"))
    visible = set(Barrier.objects.visible_to(user))
    assert visible == {barriers["Nord"], barriers["Mitte"]}


def test_koordination_sees_the_barriers_of_the_whole_district(barriers):
    user = make_staff(COORDINATION, region_names=("Nord",))
    assert set(Barrier.objects.visible_to(user)) == set(barriers.values())


def test_statistics_and_staff_of_another_district_see_no_barriers(barriers):
    from tests.factories import DistrictFactory

    assert Barrier.objects.visible_to(make_staff(COORDINATION)).exists()  # there are some to see
    assert not Barrier.objects.visible_to(make_staff(STATISTICS)).exists()
    foreign = make_staff(COORDINATION, district=DistrictFactory())
    assert not Barrier.objects.visible_to(foreign).exists()


def test_the_barrier_list_page_follows_the_same_rule(client, barriers):
    client.force_login(make_staff(CASE_MANAGEMENT, region_names=("Nord",)))
    html = client.get(reverse("structural:barrier_list")).content.decode()
    assert "Hürde Nord" in html
    assert "Hürde Süd" not in html and "Hürde Mitte" not in html

    client.force_login(make_staff(COORDINATION, region_names=("Nord",)))
    html = client.get(reverse("structural:barrier_list")).content.decode()
    assert all(f"Hürde {region}" in html for region in ("Nord", "Mitte", "Süd"))


def test_theme_detail_shows_a_case_manager_only_their_regions_barriers(client, barriers):
    theme = services.theme_create(district=coesfeld(), by=None, title="Jobcenter")
    services.barriers_assign(barriers=barriers.values(), theme=theme, by=None)
    client.force_login(make_staff(CASE_MANAGEMENT, region_names=("Süd",)))
    html = client.get(reverse("structural:theme_detail", args=[theme.pk])).content.decode()
    assert "Hürde Süd" in html and "Hürde Nord" not in html


def test_only_koordination_curates_themes(client, barriers):
    theme = services.theme_create(district=coesfeld(), by=None, title="Jobcenter")
    client.force_login(make_staff(CASE_MANAGEMENT))
    status_url = reverse("structural:theme_status", args=[theme.pk])
    assert client.post(status_url, {"status": "region", "decided_on": "2026-01-01"}).status_code == 403
    assert (
        client.post(reverse("structural:barrier_list"), {"barriers": [barriers["Nord"].pk]}).status_code
        == 403
    )
    assert client.get(reverse("structural:capacity")).status_code == 403
    theme.refresh_from_db()
    assert theme.status == EscalationStep.TEAM


def test_a_theme_of_another_district_is_404(client):
    from tests.factories import DistrictFactory

    theme = services.theme_create(district=DistrictFactory(), by=None, title="Fremd")
    client.force_login(make_staff(COORDINATION))
    assert client.get(reverse("structural:theme_detail", args=[theme.pk])).status_code == 404
    assert client.post(reverse("structural:theme_merge", args=[theme.pk]), {}).status_code == 404


def test_a_barrier_can_be_tagged_only_in_a_case_the_user_may_edit(client, jobcenter):
    me = make_staff(CASE_MANAGEMENT)
    colleague = make_staff(CASE_MANAGEMENT)
    mine, theirs, other_region = (
        case_in("Coesfeld", case_manager=me),
        case_in("Coesfeld", case_manager=colleague),
        case_in("Senden"),
    )
    client.force_login(me)
    data = {"actor": jobcenter.pk, "description": "Termine nur online"}
    response = client.post(reverse("structural:barrier_create", args=[mine.pk]), data)
    assert response.status_code == 302 and response["Location"] == mine.get_absolute_url()
    assert client.post(reverse("structural:barrier_create", args=[theirs.pk]), data).status_code == 403
    assert client.post(reverse("structural:barrier_create", args=[other_region.pk]), data).status_code == 404
    assert Barrier.objects.get().case == mine


def test_koordination_assigns_barriers_to_a_new_theme_and_merges(client, barriers):
    client.force_login(make_staff(COORDINATION))
    response = client.post(
        reverse("structural:barrier_list"),
        {"barriers": [barriers["Nord"].pk, barriers["Süd"].pk], "new_title": "Jobcenter-Termine"},
    )
    first = Theme.objects.get(title="Jobcenter-Termine")
    assert response.status_code == 302
    second = services.theme_create(district=coesfeld(), by=None, title="Online-Termine")
    services.barriers_assign(barriers=[barriers["Mitte"]], theme=second, by=None)
    response = client.post(reverse("structural:theme_merge", args=[first.pk]), {"merged": second.pk})
    assert response.status_code == 302
    figures = selectors.theme_list(district=coesfeld()).get(pk=first.pk)
    assert (figures.case_count, figures.region_count) == (3, 3)
    response = client.post(
        reverse("structural:theme_status", args=[first.pk]),
        {"status": "coordination_group", "decided_on": "2026-01-05", "text": "Jobcenter wird eingeladen."},
    )
    assert response.status_code == 302
    html = client.get(reverse("structural:steering")).content.decode()
    assert "Jobcenter-Termine" in html and "in der Koordinierungsgruppe" in html
    assert ">Online-Termine</a>" not in html  # merged away


def test_the_steering_page_is_printable_without_inline_code(client, barriers):
    theme = services.theme_create(district=coesfeld(), by=None, title="Jobcenter")
    services.barriers_assign(barriers=barriers.values(), theme=theme, by=None)
    resolved = services.theme_create(district=coesfeld(), by=None, title="Erledigtes Thema")
    services.theme_change_status(theme=resolved, by=None, status=EscalationStep.RESOLVED)
    client.force_login(make_staff(STATISTICS))
    response = client.get(reverse("structural:steering"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "css/structural.css" in html and "Jobcenter" in html
    assert "Erledigtes Thema" not in html
    assert "style=" not in html and "<script>" not in html
    assert "Hürde" not in html  # figures and titles only, no barrier texts


def test_the_steering_page_counts_in_the_database(client, django_assert_max_num_queries, jobcenter):
    """The figures and the trend are aggregates: more themes and barriers, not more queries."""
    for n in range(5):
        theme = services.theme_create(district=coesfeld(), by=None, title=f"Thema {n}")
        barriers = [
            services.barrier_create(case=case_in("Coesfeld"), by=None, actor=jobcenter) for _ in range(3)
        ]
        services.barriers_assign(barriers=barriers, theme=theme, by=None)
    client.force_login(make_staff(COORDINATION))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("structural:steering"))
    assert response.status_code == 200
    assert response.content.decode().count('class="num month has-barriers"') == 5
