"""The Content-Security-Policy in a real browser: no page of ours, and no admin page we rely
on (a change page with autocomplete widgets), trips it.

Chromium reports every blocked inline style or script on the console; an init script (which
the policy does not govern) also reports each `securitypolicyviolation` event there.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.management.commands.totp_code import current_token
from accounts.roles import CASE_MANAGEMENT
from casework.models import Case
from tests.conftest import make_staff
from tests.factories import ActorFactory, CaseFactory, ClientFactory, UserFactory, municipality

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "sicheres-Passwort-2026"
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_no_page_violates_the_content_security_policy(live_server, page: Page):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    manager = make_staff(CASE_MANAGEMENT, first_name="Clara", last_name="Casemann")
    manager.set_password(PASSWORD)
    manager.save()
    case = CaseFactory(client=ClientFactory(municipality=municipality("Coesfeld")), case_manager=manager)
    ActorFactory(name="Jobcenter Coesfeld").municipalities.add(municipality("Coesfeld"))
    admin = UserFactory(is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    device = TOTPDevice.objects.create(user=admin, name="Authenticator-App", confirmed=True)

    base = live_server.url
    violations: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )

    def visit(url: str) -> None:
        page.goto(base + url)
        page.wait_for_load_state("networkidle")

    # The workplace, as a case manager.
    visit(reverse("login"))
    page.fill("input[name='username']", manager.username)
    page.fill("input[name='password']", PASSWORD)
    page.click("button[type='submit']")
    expect(page.get_by_role("heading", name="Mein Arbeitsplatz")).to_be_visible()
    for url in (
        reverse("dashboard"),
        reverse("cases:list"),
        reverse("cases:detail", args=[case.pk]),
        reverse("clients:create"),
        reverse("network:list"),
        reverse("calendar_settings"),
    ):
        visit(url)
        expect(page.locator("main h1").first).to_be_visible()

    # The case page's script (static/js/kim.js) still runs: the phase panel fetches its form,
    # whose closing fields appear only for "Abschluss".
    visit(reverse("cases:detail", args=[case.pk]))
    page.locator("#panel-phase > summary").click()
    closing = page.locator(".field", has=page.locator("[name='phase-closure_reason']"))
    expect(closing).to_be_hidden()
    page.select_option("select[name='phase-to_phase']", value="closed")
    expect(closing).to_be_visible()

    # A superuser signing in on the site is asked for the one-time code before any page.
    operator = UserFactory(is_staff=True, is_superuser=True)
    operator.set_password(PASSWORD)
    operator.save()
    operator_device = TOTPDevice.objects.create(user=operator, name="Authenticator-App", confirmed=True)
    page.context.clear_cookies()
    visit(reverse("login"))
    page.fill("input[name='username']", operator.username)
    page.fill("input[name='password']", PASSWORD)
    page.click("button[type='submit']")
    expect(page.get_by_role("heading", name="Einmalcode eingeben")).to_be_visible()
    page.fill("input[name='otp_token']", current_token(operator_device))
    page.click("main button[type='submit']")
    expect(page.get_by_role("heading", name="Mein Arbeitsplatz")).to_be_visible()
    # Without a device: the German page that says how to set one up.
    operator_device.delete()
    page.context.clear_cookies()
    visit(reverse("login"))
    page.fill("input[name='username']", operator.username)
    page.fill("input[name='password']", PASSWORD)
    page.click("button[type='submit']")
    expect(page.get_by_role("heading", name="Zweiter Faktor erforderlich")).to_be_visible()
    expect(page.locator("main code")).to_contain_text(f"manage.py add_totp_device {operator.username}")

    # The admin, as an administrator with the second factor.
    page.context.clear_cookies()
    visit(reverse("admin:login"))
    page.fill("input[name='username']", admin.username)
    page.fill("input[name='password']", PASSWORD)
    page.fill("input[name='otp_token']", current_token(device))
    page.click("input[type='submit']")
    expect(page.locator("#site-name")).to_contain_text("KIM")

    visit(reverse("admin:casework_case_change", args=[case.pk]))
    expect(page.locator("#case_form")).to_be_visible()
    # The autocomplete widget (select2, loaded from the admin's static files) works.
    manager_field = page.locator(".field-case_manager .select2-selection")
    expect(manager_field).to_be_visible()
    manager_field.click()
    page.locator(".select2-search__field").fill("Case")
    expect(page.locator(".select2-results__option", has_text="Casemann")).to_be_visible()

    assert Case.objects.filter(pk=case.pk).exists()
    assert violations == []
