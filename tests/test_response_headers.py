"""Headers every response carries: no caching of anything a signed-in user sees, and a
Permissions-Policy that switches off the browser features the application never uses."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework import services
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(case_manager):
    return CaseFactory(case_manager=case_manager)


def _signed_in_urls(case) -> list[str]:
    document = services.document_upload(
        case=case,
        by=None,
        title="Bescheid",
        file=SimpleUploadedFile("bescheid.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    return [
        reverse("dashboard"),
        reverse("cases:list"),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:document", args=[case.pk, document.pk]),
        reverse("clients:detail", args=[case.client.pk]),
        reverse("clients:export_json", args=[case.client.pk]),
        reverse("network:list"),
        reverse("exchange:case_export_csv"),
        reverse("cases:detail", args=[999_999]),  # a 404 page of a signed-in user, too
    ]


def test_no_response_to_a_signed_in_user_may_be_stored(client, case_manager, case):
    client.force_login(case_manager)
    for url in _signed_in_urls(case):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= cache_control, url


def test_posts_and_redirects_are_not_stored_either(client, case_manager, case):
    client.force_login(case_manager)
    response = client.post(reverse("cases:add_goal", args=[case.pk]), {})
    assert "no-store" in response["Cache-Control"]


def test_every_response_carries_a_permissions_policy(client, case_manager):
    anonymous = client.get(reverse("login"))
    client.force_login(case_manager)
    signed_in = client.get(reverse("dashboard"))
    for response in (anonymous, signed_in):
        policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert policy[feature] == "()"
