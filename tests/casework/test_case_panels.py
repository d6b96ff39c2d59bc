"""The case page's forms open on request: as a fragment for the page's script, or in the page
itself with ?eingabe=<panel> (without JavaScript). The page renders none of them by itself."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import services
from casework.lifecycle import Phase
from casework.views.cases import PANELS
from tests.factories import CaseFactory, closure_reason

pytestmark = pytest.mark.django_db

ENTRY_PANELS = [panel for panel in PANELS if panel.column == "entry"]


@pytest.fixture
def case(case_manager):
    return CaseFactory(case_manager=case_manager)


@pytest.fixture
def cm_client(client, case_manager):
    client.force_login(case_manager)
    return client


def panel_url(case, slug: str) -> str:
    return reverse("cases:panel", args=[case.pk, slug])


def test_the_case_page_renders_no_form_but_a_link_per_panel(cm_client, case):
    html = cm_client.get(case.get_absolute_url()).content.decode()
    for panel in PANELS[:-1]:  # the handover is for Koordination
        assert f'id="{panel.anchor}" data-panel-url="{panel_url(case, panel.slug)}"' in html
        assert f'href="?eingabe={panel.slug}#{panel.anchor}"' in html
        assert f'name="{panel.prefix}-' not in html
    assert "panel-reassign" not in html


@pytest.mark.parametrize("panel", PANELS[:-1], ids=lambda panel: panel.slug)
def test_a_panel_opens_in_the_page_and_as_fragment(cm_client, case, panel):
    page = cm_client.get(case.get_absolute_url(), {"eingabe": panel.slug})
    html = page.content.decode()
    assert f'id="{panel.anchor}" open' in html
    assert page.context[panel.key] is not None and not page.context[panel.key].is_bound
    assert f'action="{reverse(panel.action, args=[case.pk])}"' in html

    fragment = cm_client.get(panel_url(case, panel.slug))
    assert fragment.status_code == 200
    assert {"no-store", "private"} <= {part.strip() for part in fragment["Cache-Control"].split(",")}
    body = fragment.content.decode()
    assert body.lstrip().startswith("<form") and "<html" not in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert f'action="{reverse(panel.action, args=[case.pk])}"' in body
    assert str(panel.submit_label) in body


def test_opening_a_form_reads_no_case_data_into_the_audit_trail(cm_client, case):
    from audit.models import AuditEntry

    before = AuditEntry.objects.count()
    cm_client.get(panel_url(case, "kontakt"))
    assert AuditEntry.objects.count() == before


def test_unknown_panel_is_404(cm_client, case):
    assert cm_client.get(panel_url(case, "gibtsnicht")).status_code == 404
    # Unknown ?eingabe= values open nothing.
    assert (
        "open data-panel-url" not in cm_client.get(case.get_absolute_url(), {"eingabe": "x"}).content.decode()
    )


def test_a_closed_case_offers_only_the_phase_panel(cm_client, case, case_manager):
    services.case_change_phase(
        case=case,
        to_phase=Phase.CLOSED,
        by=case_manager,
        closed_on=case.opened_on,
        closure_reason=closure_reason(),
    )
    html = cm_client.get(case.get_absolute_url()).content.decode()
    assert "panel-phase" in html
    for panel in ENTRY_PANELS:
        assert panel.anchor not in html
        assert cm_client.get(panel_url(case, panel.slug)).status_code == 403
    assert cm_client.get(panel_url(case, "phase")).status_code == 200


def test_handover_panel_for_koordination_only(client, cm_client, case, coordinator):
    assert cm_client.get(panel_url(case, "uebergabe")).status_code == 403
    page = cm_client.get(case.get_absolute_url(), {"eingabe": "uebergabe"})
    assert "reassign_form" not in page.context and "panel-reassign" not in page.content.decode()
    client.force_login(coordinator)
    assert 'id="panel-reassign"' in client.get(case.get_absolute_url()).content.decode()
    assert client.get(panel_url(case, "uebergabe")).status_code == 200


def test_the_page_costs_the_same_with_or_without_forms_to_offer(cm_client, case):
    """No form is built for the closed panels: no query reads the topics or the closure
    reasons the forms would list."""
    with CaptureQueriesContext(connection) as queries:
        response = cm_client.get(case.get_absolute_url())
    assert response.status_code == 200
    assert case.reference in response.content.decode()
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert 'FROM "casework_closurereason"' not in tables
    assert 'FROM "casework_topic"' not in tables
