"""Pages of the structural app: barriers, themes, case conferences, team capacity, steering.

Access is decided in accounts.roles; objects outside the user's scope are a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import (
    can_curate_themes,
    can_edit_case,
    can_view_capacity,
    can_view_steering,
    can_view_structural,
)
from audit.models import Action
from audit.services import audit_record
from casework.forms import apply_service_errors
from casework.models import Case
from casework.views.access import get_case_for_user

from . import selectors, services
from .forms import (
    AssignBarriersForm,
    BarrierForm,
    ConferenceForm,
    DecisionToPlanForm,
    ThemeForm,
    ThemeMergeForm,
    ThemeStatusForm,
)
from .models import CaseConference, EscalationStep, Theme, ThemeDecision
from .pseudonym import case_presentation

BARRIERS_PER_PAGE = 50


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _get_theme_for_user(request, pk: int) -> Theme:
    _require(can_view_structural(request.user))
    return get_object_or_404(Theme, pk=pk, district=selectors.user_district(request.user))


def _district_themes(request):
    district = selectors.user_district(request.user)
    return Theme.objects.filter(district=district) if district else Theme.objects.none()


# --- Barriers ------------------------------------------------------------------------------


@login_required
def barrier_create(request, case_pk: int):
    case = get_case_for_user(request, case_pk, for_update=True)
    form = BarrierForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.barrier_create(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("Barriere erfasst. Danke – die Koordination ordnet sie einem Thema zu.")
            )
            return redirect(case)
    barriers = case.barriers.select_related("actor", "legal_framework", "topic", "theme")
    return render(request, "structural/barrier_form.html", {"case": case, "form": form, "barriers": barriers})


@login_required
def barrier_list(request):
    _require(can_view_structural(request.user))
    curator = can_curate_themes(request.user)
    barriers = selectors.barrier_list(user=request.user)
    unassigned_only = request.GET.get("ohne_thema") == "1"
    if unassigned_only:
        barriers = barriers.filter(theme__isnull=True)
    form = None
    if curator:
        form = AssignBarriersForm(
            request.POST or None,
            barriers=selectors.barrier_list(user=request.user),
            themes=_district_themes(request),
        )
        if request.method == "POST" and form.is_valid():
            theme = form.cleaned_data["theme"]
            try:
                if theme is None:
                    theme = services.theme_create(
                        district=selectors.user_district(request.user),
                        by=request.user,
                        title=form.cleaned_data["new_title"],
                    )
                moved = services.barriers_assign(
                    barriers=form.cleaned_data["barriers"], theme=theme, by=request.user
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(n)s Barriere(n) dem Thema „%(title)s“ zugeordnet.") % {"n": moved, "title": theme},
                )
                return redirect("structural:theme_detail", theme.pk)
    elif request.method == "POST":
        raise PermissionDenied
    page = Paginator(barriers, BARRIERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "structural/barrier_list.html",
        {"page_obj": page, "barriers": page.object_list, "form": form, "unassigned_only": unassigned_only},
    )


# --- Themes --------------------------------------------------------------------------------


@login_required
def theme_list(request):
    _require(can_view_structural(request.user))
    themes = selectors.theme_list(district=selectors.user_district(request.user))
    return render(
        request,
        "structural/theme_list.html",
        {"themes": themes, "can_curate": can_curate_themes(request.user)},
    )


def _render_theme(request, theme, *, status=200, **forms):
    figures = selectors.theme_list(district=theme.district).get(pk=theme.pk)
    context = {
        "theme": theme,
        "figures": figures,
        "barriers": selectors.barrier_list(user=request.user).filter(theme=theme),
        "decisions": theme.decisions.select_related("recorded_by").order_by("-decided_on", "-pk"),
        "can_curate": can_curate_themes(request.user),
        "edit_form": forms.get("edit_form") or ThemeForm(instance=theme),
        "status_form": forms.get("status_form") or ThemeStatusForm(initial={"status": theme.status}),
        "merge_form": forms.get("merge_form")
        or ThemeMergeForm(themes=_district_themes(request).exclude(pk=theme.pk)),
    }
    return render(request, "structural/theme_detail.html", context, status=status)


@login_required
def theme_detail(request, pk: int):
    return _render_theme(request, _get_theme_for_user(request, pk))


@login_required
@require_POST
def theme_edit(request, pk: int):
    theme = _get_theme_for_user(request, pk)
    _require(can_curate_themes(request.user))
    form = ThemeForm(request.POST, instance=Theme.objects.get(pk=theme.pk))
    if form.is_valid():
        try:
            services.theme_update(theme=theme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thema gespeichert."))
            return redirect("structural:theme_detail", theme.pk)
    return _render_theme(request, theme, edit_form=form)


@login_required
@require_POST
def theme_status(request, pk: int):
    theme = _get_theme_for_user(request, pk)
    _require(can_curate_themes(request.user))
    form = ThemeStatusForm(request.POST)
    if form.is_valid():
        try:
            services.theme_change_status(theme=theme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Stufe und Beschluss gespeichert."))
            return redirect("structural:theme_detail", theme.pk)
    return _render_theme(request, theme, status_form=form)


@login_required
@require_POST
def theme_merge(request, pk: int):
    theme = _get_theme_for_user(request, pk)
    _require(can_curate_themes(request.user))
    form = ThemeMergeForm(request.POST, themes=_district_themes(request).exclude(pk=theme.pk))
    if form.is_valid():
        merged_title = form.cleaned_data["merged"].title
        try:
            services.theme_merge(into=theme, merged=form.cleaned_data["merged"], by=request.user)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("„%(title)s“ wurde in dieses Thema übernommen.") % {"title": merged_title}
            )
            return redirect("structural:theme_detail", theme.pk)
    return _render_theme(request, theme, merge_form=form)


# --- Steering ------------------------------------------------------------------------------


@login_required
def steering(request):
    _require(can_view_steering(request.user))
    district = selectors.user_district(request.user)
    themes = list(selectors.theme_list(district=district, open_only=True))
    months = selectors.last_months()
    trend = selectors.theme_trend(themes, months=months)
    last_decisions = {}
    for theme in themes:
        theme.trend = trend.get(theme.pk, [])
        theme.trend_total = sum(theme.trend)
    for decision in (
        ThemeDecision.objects.filter(theme__in=themes)
        .exclude(text="")
        .order_by("theme_id", "-decided_on", "-pk")
    ):
        last_decisions.setdefault(decision.theme_id, decision)
    for theme in themes:
        theme.last_decision = last_decisions.get(theme.pk)
    steps = [
        (step, [t for t in themes if t.status == step])
        for step in reversed(EscalationStep)
        if step != EscalationStep.RESOLVED
    ]
    return render(
        request,
        "structural/steering.html",
        {
            "district": district,
            "steps": steps,
            "themes": themes,
            "months": months,
            "today": timezone.localdate(),
        },
    )


# --- Case conferences ----------------------------------------------------------------------


@login_required
def conference_list(request, case_pk: int):
    case = get_case_for_user(request, case_pk)
    can_edit = can_edit_case(request.user, case)
    form = ConferenceForm(request.POST or None)
    if request.method == "POST":
        _require(can_edit)
        if form.is_valid():
            try:
                conference = services.conference_create(case=case, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Fallkonferenz gespeichert."))
                return redirect("structural:conference_detail", conference.pk)
    conferences = case.conferences.select_related("created_by")
    return render(
        request,
        "structural/conference_list.html",
        {"case": case, "form": form, "conferences": conferences, "can_edit": can_edit},
    )


@login_required
def conference_presentation(request, case_pk: int):
    case = get_case_for_user(request, case_pk)
    audit_record(
        user=request.user, action=Action.VIEW, obj=case, detail="Fallkonferenz: pseudonymisierte Vorstellung"
    )
    return render(
        request,
        "structural/presentation.html",
        {"case_pk": case.pk, "presentation": case_presentation(case)},
    )


def _get_conference_for_user(request, pk: int):
    visible = Case.objects.visible_to(request.user)
    return get_object_or_404(
        CaseConference.objects.select_related("case__municipality__region", "created_by").filter(
            case__in=visible
        ),
        pk=pk,
    )


def _render_conference(request, conference, *, form=None, status=200):
    can_edit = can_edit_case(request.user, conference.case)
    return render(
        request,
        "structural/conference_detail.html",
        {
            "conference": conference,
            "case": conference.case,
            "can_edit": can_edit and not conference.case.is_closed,
            "form": form or DecisionToPlanForm(),
        },
        status=status,
    )


@login_required
def conference_detail(request, pk: int):
    conference = _get_conference_for_user(request, pk)
    audit_record(user=request.user, action=Action.VIEW, obj=conference)
    return _render_conference(request, conference)


@login_required
@require_POST
def conference_to_plan(request, pk: int):
    conference = _get_conference_for_user(request, pk)
    _require(can_edit_case(request.user, conference.case))
    form = DecisionToPlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == DecisionToPlanForm.GOAL:
                services.conference_decision_to_goal(
                    conference=conference, by=request.user, title=data["title"], target_date=data["date"]
                )
                done = _("Ziel in den Hilfeplan übernommen.")
            else:
                services.conference_decision_to_follow_up(
                    conference=conference, by=request.user, title=data["title"], due_on=data["date"]
                )
                done = _("Wiedervorlage angelegt.")
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("structural:conference_detail", conference.pk)
    return _render_conference(request, conference, form=form)


# --- Team capacity -------------------------------------------------------------------------


@login_required
def capacity(request):
    _require(can_view_capacity(request.user))
    regions = list(selectors.capacity_regions(request.user))
    loads = selectors.team_capacity(regions=regions)
    total_cases = sum(load.active_cases for load in loads)
    total_fte = sum((load.fte for load in loads), 0)
    return render(
        request,
        "structural/capacity.html",
        {
            "loads": loads,
            "total_cases": total_cases,
            "total_fte": total_fte,
            "total_per_fte": selectors.ratio(total_cases, total_fte) if total_fte else None,
            "waiting": selectors.waiting_list(regions=regions),
        },
    )
