"""The network directory (Netzwerk Chancengerechtigkeit): find actors, read one, keep them up to date."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import can_edit_network, works_with_cases
from casework import selectors, services
from casework.concurrency import expected_version
from casework.filters.network import ActorFilter
from casework.forms import apply_service_errors
from casework.forms.network import ActorForm, ContactPersonFormSet
from casework.models import Actor
from casework.submit_once import ALREADY_SAVED, TOKEN_FIELD, AlreadySubmitted, run_once

ACTORS_PER_PAGE = 50
REFERRALS_PER_PAGE = 50
CONTACT_PERSONS_PREFIX = "contacts"


def _get_actor_for_user(request, pk: int) -> Actor:
    """The actor with what its page shows; a 404 for actors of another district."""
    return get_object_or_404(selectors.actor_detail_queryset(user=request.user), pk=pk)


@login_required
def actor_list(request):
    actor_filter = ActorFilter(
        request.GET, queryset=selectors.actors_visible_to(request.user), user=request.user
    )
    rows = actor_filter.qs.values_list(*selectors.ACTOR_ROW_COLUMNS)
    page = Paginator(rows, ACTORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/network/list.html",
        {
            "filter": actor_filter,
            "page_obj": page,
            "actors": selectors.actor_rows(page.object_list),
            "may_edit": can_edit_network(request.user),
        },
    )


@login_required
def actor_detail(request, pk: int):
    actor = _get_actor_for_user(request, pk)
    context = {
        "actor": actor,
        "municipality_groups": selectors.municipalities_by_region(actor.municipalities.all()),
        "may_edit": can_edit_network(request.user),
        # Statistik sees the directory but nothing about cases, not even references.
        "shows_referrals": works_with_cases(request.user),
    }
    if context["shows_referrals"]:
        counts = selectors.actor_referral_counts(actor=actor, user=request.user)
        referrals = selectors.actor_detail_referrals(actor=actor, user=request.user)
        context.update(
            referral_counts=counts,
            referral_total=sum(row["count"] for row in counts),
            page_obj=Paginator(referrals, REFERRALS_PER_PAGE).get_page(request.GET.get("page")),
        )
    return render(request, "casework/network/detail.html", context)


def _actor_form_page(request, actor: Actor | None):
    """Create (actor None) or edit an actor with its contact persons: one form, one transaction."""
    user = request.user
    if not can_edit_network(user):
        raise PermissionDenied
    municipalities = selectors.municipalities_for_actor(user=user, actor=actor)
    data = request.POST if request.method == "POST" else None
    form = ActorForm(data, instance=actor, municipalities=municipalities)
    formset = ContactPersonFormSet(data, instance=actor or Actor(), prefix=CONTACT_PERSONS_PREFIX)
    if data is not None and form.is_valid() and formset.is_valid():
        contact_persons, removed = formset.changes()
        try:
            if actor is None:
                saved = run_once(
                    token=form.cleaned_data.get(TOKEN_FIELD),
                    user=user,
                    write=lambda: services.actor_create(
                        by=user, contact_persons=contact_persons, **form.service_fields()
                    ),
                    result_path=lambda actor: reverse("network:detail", args=[actor.pk]),
                )
                message = _("Der Akteur „%(name)s“ wurde angelegt.")
            else:
                saved = services.actor_update(
                    actor=actor,
                    by=user,
                    contact_persons=contact_persons,
                    removed_contact_persons=removed,
                    expected_version=expected_version(form),
                    **form.service_fields(),
                )
                message = _("Die Angaben zu „%(name)s“ wurden gespeichert.")
        except AlreadySubmitted as done:
            messages.info(request, ALREADY_SAVED)
            return redirect(done.result_path or "network:list")
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, message % {"name": saved.name})
            return redirect("network:detail", saved.pk)
    return render(
        request,
        "casework/network/form.html",
        {
            "actor": actor,
            "form": form,
            "formset": formset,
            "has_errors": data is not None,
            "district_missing": not user.is_superuser and not user.district_id,
        },
        # 409: someone else saved the actor meanwhile; the form keeps this user's input.
        status=409 if getattr(form, "has_conflict", False) else 200,
    )


@login_required
def actor_create(request):
    return _actor_form_page(request, None)


@login_required
def actor_edit(request, pk: int):
    return _actor_form_page(request, _get_actor_for_user(request, pk))
