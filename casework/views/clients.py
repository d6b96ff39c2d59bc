"""Clients (Klient/innen): the list, registering, the client page, editing and opening a case.

Reads go through `casework.selectors`, writes through `casework.services`; every
client is fetched with `Client.objects.visible_to(user)`, so a client outside the
user's regions is a 404 and its existence does not leak.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import can_edit_client, can_register_clients, works_with_cases
from audit.models import Action
from audit.services import audit_filterset_search, audit_record
from casework import selectors, services
from casework.concurrency import expected_version
from casework.filters.clients import ClientFilter
from casework.forms import apply_service_errors
from casework.forms.clients import (
    ClientCreateForm,
    ClientForm,
    HouseholdMemberFormSet,
    OpenCaseForm,
)
from casework.submit_once import (
    ALREADY_SAVED,
    TOKEN_FIELD,
    AlreadySubmitted,
    pop_submit_token,
    run_once,
    submitted_before,
)
from kim.pagination import CappedPaginator

from .access import get_client_for_user

CLIENTS_PER_PAGE = 50
# As on the case list: the list counts up to this many clients ("mehr als 200") and reads the
# count and the page's ids in one query (kim/pagination.py).
CLIENTS_COUNT_CAP = 200
MEMBERS_PREFIX = "members"


def _get_client_for_write(request, pk: int):
    client = get_client_for_user(request, pk)
    if not can_edit_client(request.user, client):
        raise PermissionDenied
    return client


@login_required
def client_list(request):
    client_filter = ClientFilter(
        request.GET or None, queryset=selectors.client_list(user=request.user), user=request.user
    )
    clients = client_filter.qs if client_filter.is_bound else client_filter.queryset
    audit_filterset_search(user=request.user, filterset=client_filter)
    paginator = CappedPaginator(
        clients, CLIENTS_PER_PAGE, fetch_rows=selectors.client_list_rows, count_cap=CLIENTS_COUNT_CAP
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "casework/clients/list.html",
        {
            "filter": client_filter,
            "page_obj": page,
            "clients": page.object_list,
            "works_with_cases": works_with_cases(request.user),
            "can_register": can_register_clients(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_create(request):
    if not can_register_clients(request.user):
        raise PermissionDenied
    duplicates = []
    if request.method == "POST":
        form = ClientCreateForm(request.POST, user=request.user)
        member_formset = HouseholdMemberFormSet(request.POST, prefix=MEMBERS_PREFIX)
        if form.is_valid() and member_formset.is_valid():
            data = form.cleaned_data
            resent = submitted_before(data.get(TOKEN_FIELD))
            if resent is not None:
                messages.info(request, ALREADY_SAVED)
                return redirect(resent or "clients:list")
            duplicates = selectors.possible_duplicates(
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                user=request.user,
            )
            # With possible duplicates the page asks, without an error, whether it is one of
            # them ("diese Person übernehmen") or someone new ("trotzdem neu anlegen").
            if not duplicates or data["duplicates_checked"]:
                try:
                    client = run_once(
                        token=pop_submit_token(form),
                        user=request.user,
                        write=lambda: services.client_register(
                            by=request.user,
                            client_fields=form.service_fields(),
                            legal_frameworks=data["legal_frameworks"],
                            members=member_formset.members(),
                        ),
                        result_path=lambda client: reverse("clients:detail", args=[client.pk]),
                    )
                except AlreadySubmitted as done:
                    messages.info(request, ALREADY_SAVED)
                    return redirect(done.result_path or "clients:list")
                except ValidationError as error:
                    apply_service_errors(form, error)
                else:
                    messages.success(request, _("%(name)s wurde angelegt.") % {"name": client.full_name})
                    return redirect("clients:detail", pk=client.pk)
    else:
        form = ClientCreateForm(user=request.user)
        member_formset = HouseholdMemberFormSet(prefix=MEMBERS_PREFIX)
    return render(
        request,
        "casework/clients/create.html",
        {
            "form": form,
            "member_formset": member_formset,
            "duplicates": duplicates,
            "members_open": member_formset.is_bound and member_formset.has_changed(),
        },
    )


def _render_detail(request, client, *, open_case_form=None):
    can_write = can_edit_client(request.user, client)
    legal_frameworks = list(client.legal_frameworks.all())
    if can_write and open_case_form is None:
        open_case_form = OpenCaseForm(
            user=request.user,
            client=client,
            prefix="case",
            initial={"legal_frameworks": [framework.pk for framework in legal_frameworks]},
        )
    return render(
        request,
        "casework/clients/detail.html",
        {
            "client": client,
            "age": selectors.age_on(client.date_of_birth),
            "residence_alert": selectors.client_residence_alert(client),
            "legal_frameworks": legal_frameworks,
            "members": selectors.client_household_members(client=client, user=request.user),
            "cases": selectors.client_cases(client=client, user=request.user),
            "can_write": can_write,
            "open_case_form": open_case_form if can_write else None,
        },
    )


@login_required
def client_detail(request, pk: int):
    client = get_client_for_user(request, pk)
    audit_record(user=request.user, action=Action.VIEW, obj=client)
    return _render_detail(request, client)


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request, pk: int):
    client = _get_client_for_write(request, pk)
    if request.method == "POST":
        form = ClientForm(request.POST, instance=client, user=request.user)
        if form.is_valid():
            try:
                services.client_update(
                    client=client,
                    by=request.user,
                    legal_frameworks=form.cleaned_data["legal_frameworks"],
                    expected_version=expected_version(form),
                    **form.service_fields(),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Die Angaben wurden gespeichert."))
                return redirect("clients:detail", pk=client.pk)
    else:
        form = ClientForm(instance=client, user=request.user)
        audit_record(user=request.user, action=Action.VIEW, obj=client, detail="Bearbeiten")
    # The form changes the instance while validating; the heading shows the stored name.
    stored = get_client_for_user(request, pk) if form.is_bound else client
    # 409: someone else saved the client meanwhile; the form keeps this user's input.
    status = 409 if getattr(form, "has_conflict", False) else 200
    return render(request, "casework/clients/edit.html", {"form": form, "client": stored}, status=status)


@login_required
@require_POST
def client_open_case(request, pk: int):
    client = _get_client_for_write(request, pk)
    form = OpenCaseForm(request.POST, user=request.user, client=client, prefix="case")
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = run_once(
                token=pop_submit_token(form),
                user=request.user,
                write=lambda: services.case_open(
                    by=request.user,
                    client=client,
                    municipality=data["municipality"],
                    case_manager=data["case_manager"],
                    opened_on=data["opened_on"],
                    legal_frameworks=data["legal_frameworks"],
                ),
                result_path=lambda case: case.get_absolute_url(),
            )
        except AlreadySubmitted as done:
            messages.info(request, ALREADY_SAVED)
            return redirect(done.result_path or reverse("clients:detail", args=[client.pk]))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Der Fall %(reference)s für %(name)s wurde eröffnet.")
                % {"reference": case.reference, "name": client.full_name},
            )
            return redirect("cases:detail", pk=case.pk)
    return _render_detail(request, client, open_case_form=form)
