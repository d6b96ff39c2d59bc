"""The second factor for everyone with more than case-level rights, on the whole site.

Superusers, staff (who may open the admin) and the Administration role need a session
verified by a confirmed TOTP device for every page, not only for /admin/: a stolen password
alone must not open every district's cases. Without a device they get a German page that says
how to get one; with one they are asked for the code once per session.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.management.commands.totp_code import current_token
from accounts.roles import ADMINISTRATION
from tests.conftest import login_with_otp, make_staff
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"
SECOND_FACTOR_URL = reverse("second_factor")
SETUP_HINT = "manage.py add_totp_device"
NO_DEVICE_TITLE = "Zweiter Faktor erforderlich"


@pytest.fixture
def superuser_without_device():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_with_device():
    user = UserFactory(is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=user, name="Authenticator-App", confirmed=True)
    return user


def _password_login(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _probe_urls(case) -> list[str]:
    """What the outside probe opened with the password alone."""
    return [
        reverse("dashboard"),
        reverse("cases:detail", args=[case.pk]),
        reverse("clients:export_json", args=[case.client.pk]),
        reverse("exchange:case_export_csv"),
        reverse("admin:index"),
    ]


def test_a_superuser_without_a_device_is_refused_everywhere_with_a_german_setup_page(
    client, superuser_without_device
):
    case = CaseFactory()
    _password_login(client, superuser_without_device)

    for url in _probe_urls(case):
        response = client.get(url)
        assert response.status_code == 403, url
        page = response.content.decode()
        assert NO_DEVICE_TITLE in page
        assert f"{SETUP_HINT} {superuser_without_device.username}" in page
        assert case.reference not in page and case.client.last_name not in page
        assert "no-store" in response["Cache-Control"]


def test_a_superuser_with_a_device_is_asked_for_the_code_before_any_page(client, superuser_with_device):
    case = CaseFactory()
    _password_login(client, superuser_with_device)

    for url in _probe_urls(case):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{SECOND_FACTOR_URL}?next=")
    page = client.get(SECOND_FACTOR_URL).content.decode()
    assert 'name="otp_token"' in page
    assert "Einmalcode" in page


def test_the_right_code_opens_the_site_for_the_session(client, superuser_with_device):
    case = CaseFactory()
    device = superuser_with_device.totpdevice_set.get()
    _password_login(client, superuser_with_device)
    next_url = reverse("cases:detail", args=[case.pk])

    response = client.post(f"{SECOND_FACTOR_URL}?next={next_url}", {"otp_token": current_token(device)})

    assert response.status_code == 302
    assert response["Location"] == next_url
    assert client.get(next_url).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_code_keeps_the_site_closed(client, superuser_with_device):
    device = superuser_with_device.totpdevice_set.get()
    wrong = f"{(int(current_token(device)) + 1) % 1_000_000:06d}"
    _password_login(client, superuser_with_device)

    response = client.post(SECOND_FACTOR_URL, {"otp_token": wrong})

    assert response.status_code == 200
    assert "alert" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def test_the_code_page_does_not_redirect_to_another_site(client, superuser_with_device):
    device = superuser_with_device.totpdevice_set.get()
    _password_login(client, superuser_with_device)

    response = client.post(
        f"{SECOND_FACTOR_URL}?next=https://evil.example/", {"otp_token": current_token(device)}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


@pytest.mark.parametrize("kind", ["administration_role", "staff"])
def test_administration_and_staff_without_a_device_are_refused(client, kind):
    if kind == "administration_role":
        user = make_staff(ADMINISTRATION, ("Nord",))
    else:
        user = UserFactory(is_staff=True)
    _password_login(client, user)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 403
    assert f"{SETUP_HINT} {user.username}" in response.content.decode()


def test_case_managers_need_no_second_factor(client, case_manager):
    _password_login(client, case_manager)

    assert client.get(reverse("dashboard")).status_code == 200


def test_an_administrator_who_also_does_casework_needs_the_code_too(client):
    user = make_staff(ADMINISTRATION, ("Nord",))
    user.groups.add(Group.objects.get_or_create(name="Case Management")[0])
    _password_login(client, user)

    assert client.get(reverse("cases:list")).status_code == 403
    assert client.get(reverse("cases:list"), follow=False).status_code == 403

    login_with_otp(client, user)
    assert client.get(reverse("cases:list")).status_code == 200


def test_signing_out_works_without_the_second_factor(client, superuser_without_device):
    _password_login(client, superuser_without_device)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_demo_admin_signs_in_on_the_site_with_the_code_totp_code_prints(client, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("setup_demo", cases=2, stdout=StringIO())
    code = StringIO()
    call_command("totp_code", "admin", stdout=code)

    assert (
        client.post(reverse("login"), {"username": "admin", "password": "kim-demo-2026"}).status_code == 302
    )
    assert client.get(reverse("dashboard"))["Location"].startswith(SECOND_FACTOR_URL)
    assert client.post(SECOND_FACTOR_URL, {"otp_token": code.getvalue().strip()}).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
