"""Fetching objects for the signed-in user: access control and select_related in one place.

Anything outside the user's scope is a 404, so its existence does not leak.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.roles import can_edit_case
from casework.models import Case, Client


def get_case_for_user(request, pk: int, *, for_update: bool = False) -> Case:
    case = get_object_or_404(Case.objects.visible_to(request.user).with_header(), pk=pk)
    if for_update and not can_edit_case(request.user, case):
        raise PermissionDenied
    return case


def get_client_for_user(request, pk: int) -> Client:
    return get_object_or_404(
        Client.objects.visible_to(request.user).select_related("municipality__region", "household"), pk=pk
    )
