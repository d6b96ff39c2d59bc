"""The right of access (Art. 15 GDPR) and to data portability (Art. 20): one client's data
as a JSON file and as a printable page. Both are audited by the export service."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import can_edit_client, is_coordinator
from casework.views.access import get_client_for_user

from . import services


def may_export_client(user, client) -> bool:
    """Those who may change the client's data answer the request for access; so does Koordination."""
    return can_edit_client(user, client) or is_coordinator(user)


def _get_client_for_export(request, pk: int):
    client = get_client_for_user(request, pk)  # 404 outside the user's regions
    if not may_export_client(request.user, client):
        raise PermissionDenied
    return client


@login_required
@require_GET
@never_cache
def client_export_json(request, pk: int):
    client = _get_client_for_export(request, pk)
    data = services.client_data_export(client=client, by=request.user, channel="json")
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    # Ids only in the file name: it ends up in download folders and browser histories.
    filename = f"datenauskunft-{client.pk}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
@never_cache
def client_export_html(request, pk: int):
    client = _get_client_for_export(request, pk)
    data = services.client_data_export(client=client, by=request.user, channel="html")
    return render(
        request,
        "privacy/client_export.html",
        {"client": client, "export": data, "retention": settings.KIM_RETENTION},
    )
