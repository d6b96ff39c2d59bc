"""The case list, the case detail page and everything posted from it."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.roles import can_assign_cases, can_edit_case
from audit.models import Action
from audit.services import audit_filterset_search, audit_record
from casework import selectors, services
from casework.concurrency import expected_version
from casework.filters.cases import CaseFilter
from casework.forms import apply_service_errors
from casework.forms.appointments import AppointmentForm
from casework.forms.cases import (
    BulkReassignForm,
    ConsentForm,
    ConsentWithdrawForm,
    ContactForm,
    DocumentForm,
    FollowUpForm,
    GoalForm,
    GoalStatusForm,
    PhaseChangeForm,
    ReassignForm,
    ReferralForm,
    ReferralOutcomeForm,
)
from casework.handover import handover_preview, receiver_load
from casework.lifecycle import Phase
from casework.models import (
    Actor,
    Case,
    Consent,
    DataCategory,
    Document,
    FollowUp,
    Goal,
    GoalStatus,
    Referral,
)
from casework.submit_once import (
    ALREADY_SAVED,
    TOKEN_FIELD,
    AlreadySubmitted,
    pop_submit_token,
    run_once,
    submitted_before,
)
from casework.uploads import servable_content_type
from kim.drafts import RESTORED, login_required_keep_input, take_draft
from kim.links import UrlForPks
from kim.pagination import CappedPaginator

from .access import get_case_for_user

CASES_PER_PAGE = 50
# Beyond this many the list says "mehr als 200 Fälle – grenzen Sie die Liste mit den Filtern ein":
# four full pages, more than anyone reads through, so the advice is the same at 201 or 60,000
# (the statistics page has the exact figures). Counting further costs every request: the list
# reads the first CASES_COUNT_CAP + 1 ids, and a filter that needs a look-up per case (a legal
# framework) makes about seven look-ups per case it finds, 1,400 up to this cap, 7,000 up to 1,000.
CASES_COUNT_CAP = 200


def _case_page(request, pk: int, **kwargs) -> str:
    """Where the forms of the case page live: the page a draft is restored on."""
    return reverse("cases:detail", args=[pk])


@login_required
def case_list(request):
    case_filter = CaseFilter(
        request.GET or None, queryset=selectors.case_list(user=request.user), user=request.user
    )
    cases = case_filter.qs if case_filter.is_bound else case_filter.queryset
    audit_filterset_search(user=request.user, filterset=case_filter)
    paginator = CappedPaginator(
        cases,
        CASES_PER_PAGE,
        fetch_rows=lambda ids: selectors.case_list_rows(
            ids,
            legal_frameworks=case_filter.legal_frameworks,
            municipalities=case_filter.municipalities,
            case_managers=case_filter.case_managers,
        ),
        count_cap=CASES_COUNT_CAP,
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "casework/cases/list.html",
        {
            "filter": case_filter,
            "page_obj": page,
            "cases": page.object_list,
            "can_assign": can_assign_cases(request.user),
        },
    )


@dataclass(frozen=True)
class Panel:
    """A form of the case page. It is built and rendered only when the user opens its panel:
    with JavaScript the panel fetches it (`case_panel`), without it a link reloads the page
    with `?eingabe=<slug>`. A case page with eight forms rendered cost more than the rest of
    the page together."""

    slug: str
    anchor: str
    key: str
    form_class: type
    action: str
    title: str
    submit_label: str
    form_kwargs: Callable[[Case], dict] = lambda case: {}
    multipart: bool = False
    # "case": in the side column, also on a closed case (to reopen it); "entry": a new entry.
    column: str = "entry"
    assigners_only: bool = False

    @property
    def prefix(self) -> str:
        return self.key.removesuffix("_form")

    def build(self, case, data=None, files=None):
        return self.form_class(data, files, prefix=self.prefix, **self.form_kwargs(case))


_case_kwargs = lambda case: {"case": case}  # noqa: E731


PANELS = (
    Panel("kontakt", "panel-contact", "contact_form", ContactForm, "cases:add_contact",
          gettext_lazy("Kontakt erfassen"), gettext_lazy("Kontakt speichern")),
    Panel("termin", "panel-appointment", "appointment_form", AppointmentForm, "cases:add_appointment",
          gettext_lazy("Termin vereinbaren"), gettext_lazy("Termin speichern"), form_kwargs=_case_kwargs),
    Panel("wiedervorlage", "panel-follow-up", "follow_up_form", FollowUpForm, "cases:add_follow_up",
          gettext_lazy("Wiedervorlage anlegen"), gettext_lazy("Wiedervorlage speichern")),
    Panel("ziel", "panel-goal", "goal_form", GoalForm, "cases:add_goal",
          gettext_lazy("Ziel vereinbaren"), gettext_lazy("Ziel speichern")),
    Panel("vermittlung", "panel-referral", "referral_form", ReferralForm, "cases:add_referral",
          gettext_lazy("An Akteur vermitteln"), gettext_lazy("Vermittlung speichern"),
          form_kwargs=_case_kwargs),
    Panel("rueckmeldung", "panel-referral-outcome", "referral_outcome_form", ReferralOutcomeForm,
          "cases:referral_outcome", gettext_lazy("Rückmeldung zu einer Vermittlung"),
          gettext_lazy("Rückmeldung speichern"), form_kwargs=_case_kwargs),
    Panel("dokument", "panel-document", "document_form", DocumentForm, "cases:add_document",
          gettext_lazy("Dokument hochladen"), gettext_lazy("Hochladen"), multipart=True),
    Panel("einwilligung", "panel-consent", "consent_form", ConsentForm, "cases:add_consent",
          gettext_lazy("Einwilligung erfassen"), gettext_lazy("Einwilligung speichern"),
          form_kwargs=_case_kwargs),
    Panel("phase", "panel-phase", "phase_form", PhaseChangeForm, "cases:change_phase",
          gettext_lazy("Phase ändern"), gettext_lazy("Phase ändern"),
          form_kwargs=_case_kwargs, column="case"),
    Panel("uebergabe", "panel-reassign", "reassign_form", ReassignForm, "cases:reassign",
          gettext_lazy("Fall übergeben"), gettext_lazy("Übergeben"),
          form_kwargs=lambda case: {"region_pks": [case.municipality.region_id], "case": case},
          column="case", assigners_only=True),
)  # fmt: skip
PANELS_BY_SLUG = {panel.slug: panel for panel in PANELS}
PANELS_BY_ACTION = {panel.action.removeprefix("cases:"): panel for panel in PANELS}


def _panel_allowed(user, case, panel: Panel) -> bool:
    if panel.assigners_only:
        return can_assign_cases(user)
    if not can_edit_case(user, case):
        return False
    return panel.column == "case" or not case.is_closed


def _case_panels(request, case, bound_form=None) -> dict[str, list[dict]]:
    """The panels the user may open, by column, each with its form if it is open: the one
    asked for with `?eingabe=`, or the bound one being shown again with its errors."""
    opened = {}
    requested = PANELS_BY_SLUG.get(request.GET.get("eingabe", ""))
    if requested is not None and _panel_allowed(request.user, case, requested):
        opened[requested.key] = requested.build(case)
    if bound_form is not None:
        opened[bound_form[0]] = bound_form[1]
    columns: dict[str, list[dict]] = {"entry": [], "case": []}
    for panel in PANELS:
        if _panel_allowed(request.user, case, panel):
            columns[panel.column].append({"panel": panel, "form": opened.get(panel.key)})
    return columns


# The case page shows the newest 20 entries of the timeline (a screen and a half);
# `?verlauf=alle` shows all of them, so the page stays fast however long a case runs.
TIMELINE_RECENT = 20
TIMELINE_ALL = "alle"


def _render_case(request, case, *, bound_form=None, status=200):
    consents = selectors.case_consents(case)
    show_all = request.GET.get("verlauf") == TIMELINE_ALL
    # One entry more than shown tells whether there are older ones.
    timeline = selectors.case_timeline(case, limit=None if show_all else TIMELINE_RECENT + 1)
    panels = _case_panels(request, case, bound_form)
    context = {
        "case": case,
        "subject": case.subject,
        "timeline": timeline[:TIMELINE_RECENT] if not show_all else timeline,
        "timeline_has_older": not show_all and len(timeline) > TIMELINE_RECENT,
        "timeline_all_param": TIMELINE_ALL,
        "goals": selectors.case_goals(case),
        "appointments": selectors.case_appointments(case),
        "now": timezone.now(),
        "follow_ups": selectors.case_open_follow_ups(case),
        "done_follow_ups": selectors.case_recently_done_follow_ups(case),
        "consents": consents,
        "alerts": selectors.case_alerts(case, consents),
        "can_edit": can_edit_case(request.user, case),
        "entry_panels": panels["entry"],
        "case_panels": panels["case"],
        "goal_statuses": GoalStatus.choices,
    }
    # The open forms also by their names (the tests, and a draft restored into one, use them).
    opened = [item for item in panels["entry"] + panels["case"] if item["form"]]
    context.update({item["panel"].key: item["form"] for item in opened})
    return render(request, "casework/cases/detail.html", context, status=status)


def _restored_form(request, case):
    """The form a user was filling in when their session expired (kim/drafts.py), pre-filled."""
    draft = take_draft(request, page=request.path)
    if draft is None or not can_edit_case(request.user, case):
        return None
    action, data = draft
    panel = PANELS_BY_ACTION.get(resolve(action).url_name)
    if panel is None:
        return None
    messages.info(request, RESTORED)
    return panel.key, panel.build(case, data)


@login_required
def case_detail(request, pk: int):
    case = get_case_for_user(request, pk)
    audit_record(user=request.user, action=Action.VIEW, obj=case)
    # Opened by its new case manager: no longer "neu übernommen" on Mein Arbeitsplatz.
    services.case_handover_seen(case=case, user=request.user)
    return _render_case(request, case, bound_form=_restored_form(request, case))


@login_required
@never_cache  # each fetch carries fresh CSRF and submit tokens
def case_panel(request, pk: int, slug: str):
    """One panel's empty form as an HTML fragment, for the case page's script."""
    case = get_case_for_user(request, pk)
    panel = PANELS_BY_SLUG.get(slug)
    if panel is None:
        raise Http404
    if not _panel_allowed(request.user, case, panel):
        raise PermissionDenied
    return render(
        request, "casework/cases/_panel_form.html", {"case": case, "panel": panel, "form": panel.build(case)}
    )


def _case_entry_view(request, pk, *, slug: str, save, success_message):
    """Validate a form posted from a panel of the case page and hand it to a service.

    Invalid input re-renders the case page with the panel open and its errors.
    """
    case = get_case_for_user(request, pk, for_update=True)
    panel = PANELS_BY_SLUG[slug]
    form = panel.build(case, request.POST, request.FILES)
    # Back to the panel that was saved: kim.js puts the keyboard focus there again.
    saved_url = f"{case.get_absolute_url()}#{panel.anchor}"
    if form.is_valid():
        token = pop_submit_token(form)
        try:
            run_once(
                token=token,
                user=request.user,
                write=lambda: save(case, form),
                result_path=lambda _result: saved_url,
            )
        except AlreadySubmitted:
            # A double click or a reload: the first submit saved it, this one writes nothing.
            messages.info(request, ALREADY_SAVED)
            return redirect(saved_url)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, success_message(case) if callable(success_message) else success_message)
            return redirect(saved_url)
    if case.is_closed:
        # The entry panels are hidden on a closed case; say why nothing was saved.
        for error in form.non_field_errors():
            messages.error(request, error)
    # 409: the case was changed by someone else meanwhile (casework/concurrency.py).
    status = 409 if getattr(form, "has_conflict", False) else 200
    return _render_case(request, case, bound_form=(panel.key, form), status=status)


def _section_url(case, section: str) -> str:
    """The case page at one of its sections (follow-ups, goals, consents), where kim.js puts
    the keyboard focus after a change made there."""
    return f"{case.get_absolute_url()}#{section}-title"


@login_required_keep_input(_case_page)
@require_POST
def contact_add(request, pk: int):
    def save(case, form):
        data = dict(form.cleaned_data)
        topics = data.pop("topics")
        services.contact_create(case=case, by=request.user, topics=topics, **data)

    return _case_entry_view(
        request,
        pk,
        slug="kontakt",
        save=save,
        success_message=_("Kontakt gespeichert."),
    )


@login_required_keep_input(_case_page)
@require_POST
def goal_add(request, pk: int):
    return _case_entry_view(
        request,
        pk,
        slug="ziel",
        save=lambda case, form: services.goal_create(case=case, by=request.user, **form.cleaned_data),
        success_message=_("Ziel gespeichert."),
    )


@login_required_keep_input(_case_page)
@require_POST
def referral_add(request, pk: int):
    return _case_entry_view(
        request,
        pk,
        slug="vermittlung",
        save=lambda case, form: services.referral_create(case=case, by=request.user, **form.cleaned_data),
        success_message=_("Vermittlung gespeichert."),
    )


@login_required_keep_input(_case_page)
@require_POST
def referral_outcome(request, pk: int):
    def save(case, form):
        referral = get_object_or_404(Referral, pk=form.cleaned_data["referral"], case=case)
        services.referral_set_status(
            referral=referral,
            status=form.cleaned_data["status"],
            on=form.cleaned_data["changed_on"],
            note=form.cleaned_data["note"],
            by=request.user,
            expected_version=form.expected_version(),
        )

    return _case_entry_view(
        request,
        pk,
        slug="rueckmeldung",
        save=save,
        success_message=_("Rückmeldung gespeichert."),
    )


@login_required_keep_input(_case_page)
@require_POST
def follow_up_add(request, pk: int):
    return _case_entry_view(
        request,
        pk,
        slug="wiedervorlage",
        save=lambda case, form: services.follow_up_create(case=case, by=request.user, **form.cleaned_data),
        success_message=_("Wiedervorlage gespeichert."),
    )


@login_required_keep_input(_case_page)
@require_POST
def document_add(request, pk: int):
    return _case_entry_view(
        request,
        pk,
        slug="dokument",
        save=lambda case, form: services.document_upload(case=case, by=request.user, **form.cleaned_data),
        success_message=_("Dokument hochgeladen."),
    )


@login_required_keep_input(_case_page)
@require_POST
def consent_add(request, pk: int):
    def save(case, form):
        data = dict(form.cleaned_data)
        services.consent_create(
            case=case,
            by=request.user,
            actors=data.pop("actors"),
            data_categories=data.pop("data_categories"),
            **data,
        )

    return _case_entry_view(
        request,
        pk,
        slug="einwilligung",
        save=save,
        success_message=_("Einwilligung gespeichert."),
    )


@login_required
@require_POST
def consent_withdraw(request, pk: int, consent_pk: int):
    """Record the client's withdrawal of a consent (possible on a closed case too)."""
    case = get_case_for_user(request, pk, for_update=True)
    consent = get_object_or_404(Consent, pk=consent_pk, case=case)
    form = ConsentWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte geben Sie das Datum des Widerrufs an."))
        return redirect(_section_url(case, "consents"))
    try:
        services.consent_withdraw(consent=consent, by=request.user, on=form.cleaned_data["withdrawn_on"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Widerruf gespeichert: Ab dem %(date)s deckt die Einwilligung keine Weitergabe mehr ab.")
            % {"date": f"{form.cleaned_data['withdrawn_on']:%d.%m.%Y}"},
        )
    return redirect(_section_url(case, "consents"))


# The printable consent form: German, or German in Leichte Sprache. Both templates are
# translatable ({% translate %}), so further languages come from the translation catalogues.
CONSENT_FORM_TEMPLATES = {
    "de": "casework/consent/form_de.html",
    "leicht": "casework/consent/form_leicht.html",
}


@login_required
def consent_form(request, pk: int, consent_pk: int | None = None):
    """A consent as a form for the client to sign, or a blank one for a new consent.

    It shows the client's name and date of birth, so it is scoped like the case itself
    (404 outside the user's regions). `?sprache=` picks the version; anything other than
    a known version falls back to German, so an old or mistyped link still prints.
    """
    case = get_case_for_user(request, pk)
    consent = None
    if consent_pk is not None:
        consent = get_object_or_404(
            Consent.objects.prefetch_related(
                Prefetch("actors", queryset=Actor.objects.order_by("name")), "data_categories"
            ),
            pk=consent_pk,
            case=case,
        )
    language = request.GET.get("sprache", "de")
    if language not in CONSENT_FORM_TEMPLATES:
        language = "de"
    audit_record(user=request.user, action=Action.VIEW, obj=consent or case, detail="Einwilligungsformular")
    context = {
        "case": case,
        "client": case.client,
        "subject": case.subject,
        "district": case.district,
        "contact_person": case.case_manager,
        "consent": consent,
        "actors": list(consent.actors.all()) if consent else [],
        "data_categories": (
            list(consent.data_categories.all())
            if consent
            else list(DataCategory.objects.filter(is_active=True))
        ),
        "language": language,
        "blank_lines": range(3),
    }
    return render(request, CONSENT_FORM_TEMPLATES[language], context)


@login_required_keep_input(_case_page)
@require_POST
def phase_change(request, pk: int):
    def save(case, form):
        data = form.cleaned_data
        case._kim_reopened = case.is_closed
        services.case_change_phase(
            case=case,
            to_phase=data["to_phase"],
            by=request.user,
            closed_on=data["closed_on"],
            closure_reason=data["closure_reason"],
            note=data["note"],
            expected_version=expected_version(form),
            follow_up_decisions=form.follow_up_decisions(),
            goal_results=form.goal_results(),
            outcome=data["outcome"],
        )

    return _case_entry_view(
        request,
        pk,
        slug="phase",
        save=save,
        success_message=_phase_message,
    )


def _phase_message(case) -> str:
    """Say what happened to the case, not only that its phase changed."""
    if case.phase == Phase.CLOSED:
        return _("Fall abgeschlossen.")
    if case.phase == Phase.EVALUATION:
        return _("Evaluation begonnen: Ziele überprüft und Ergebnis festgehalten.")
    if getattr(case, "_kim_reopened", False):
        return _("Fall wieder aufgenommen.")
    return _("Phase geändert.")


@login_required_keep_input(_case_page)
@require_POST
def reassign(request, pk: int):
    if not can_assign_cases(request.user):
        get_case_for_user(request, pk)  # 404 outside scope before 403 inside it
        raise PermissionDenied
    return _case_entry_view(
        request,
        pk,
        slug="uebergabe",
        save=lambda case, form: services.case_reassign(
            case=case,
            to_manager=form.cleaned_data["to_manager"],
            by=request.user,
            note=form.cleaned_data["note"],
            expected_version=expected_version(form),
        ),
        success_message=_("Fall übergeben."),
    )


@login_required
@require_POST
def follow_up_done(request, pk: int, follow_up_pk: int):
    case = get_case_for_user(request, pk, for_update=True)
    follow_up = get_object_or_404(FollowUp, pk=follow_up_pk, case=case)
    services.follow_up_complete(follow_up=follow_up, by=request.user)
    # The undo sits on the case page, under the open follow-ups ("wieder öffnen").
    messages.success(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            _("Wiedervorlage „%(title)s“ erledigt.") % {"title": follow_up.title},
            _section_url(case, "follow-ups-done"),
            _("Rückgängig machen: wieder öffnen"),
        ),
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = _section_url(case, "follow-ups")
    return HttpResponseRedirect(next_url)


@login_required
@require_POST
def follow_up_reopen(request, pk: int, follow_up_pk: int):
    case = get_case_for_user(request, pk, for_update=True)
    follow_up = get_object_or_404(FollowUp, pk=follow_up_pk, case=case)
    services.follow_up_reopen(follow_up=follow_up, by=request.user)
    messages.success(request, _("Wiedervorlage „%(title)s“ ist wieder offen.") % {"title": follow_up.title})
    return redirect(_section_url(case, "follow-ups"))


@login_required
@require_POST
def goal_status(request, pk: int, goal_pk: int):
    case = get_case_for_user(request, pk, for_update=True)
    goal = get_object_or_404(Goal, pk=goal_pk, case=case)
    form = GoalStatusForm(request.POST)
    if form.is_valid():
        try:
            services.goal_set_status(
                goal=goal,
                status=form.cleaned_data["status"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Status des Ziels geändert."))
    else:
        messages.error(request, _("Bitte wählen Sie einen gültigen Status."))
    return redirect(_section_url(case, "goals"))


@login_required
def document_download(request, pk: int, document_pk: int):
    case = get_case_for_user(request, pk)
    document = get_object_or_404(Document, pk=document_pk, case=case)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("Die Datei ist nicht mehr vorhanden.")) from missing
    audit_record(user=request.user, action=Action.VIEW, obj=document, detail="Dokument")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_filename or document.file.name.rsplit("/", 1)[-1],
        content_type=servable_content_type(document.content_type),
    )


BULK_RESULT_SESSION_KEY = "kim_bulk_handover_result"
PREVIEW, CONFIRM = "vorschau", "bestaetigen"


@login_required
def bulk_reassign(request):
    """Koordination hands over many cases at once, e.g. when a case manager leaves: choose the
    cases (all of a person, or rows selected in the case list), see how many and the
    receiver's load before and after, confirm; then the result page."""
    if not can_assign_cases(request.user):
        raise PermissionDenied
    if request.method != "POST":
        selected = [pk for pk in request.GET.getlist("cases") if pk.isdigit()]
        form = BulkReassignForm(user=request.user, initial={"cases": selected, "only_open": True})
        chosen = Case.objects.visible_to(request.user).filter(pk__in=selected).count() if selected else 0
        return render(request, "casework/cases/bulk_reassign.html", {"form": form, "selected_count": chosen})
    if request.POST.get("action") == CONFIRM:
        # A double click or a reload of the confirmation: the first one handed the cases over.
        try:
            done_path = submitted_before(uuid.UUID(request.POST.get(TOKEN_FIELD, "")))
        except ValueError:
            done_path = None
        if done_path is not None:
            messages.info(request, ALREADY_SAVED)
            return redirect(done_path or "cases:bulk_reassign_result")
    form = BulkReassignForm(request.POST, user=request.user)
    if not form.is_valid():
        selected = len(request.POST.getlist("cases"))
        return render(
            request, "casework/cases/bulk_reassign.html", {"form": form, "selected_count": selected}
        )
    data = form.cleaned_data
    receiver = data["to_manager"]
    if request.POST.get("action") != CONFIRM:
        if not data.get(TOKEN_FIELD):
            # The confirmation carries a one-time token, so a double click hands over once.
            form.data = form.data.copy()
            form.data[TOKEN_FIELD] = str(uuid.uuid4())
        preview = handover_preview(form.chosen_cases(), receiver)
        return render(
            request,
            "casework/cases/bulk_reassign_preview.html",
            {"form": form, "preview": preview, "confirm": CONFIRM},
        )
    token = pop_submit_token(form)
    load_before = receiver_load(receiver)
    try:
        moved = run_once(
            token=token,
            user=request.user,
            write=lambda: services.cases_reassign(
                cases=form.chosen_cases(), to_manager=receiver, by=request.user, note=data["note"]
            ),
            result_path=lambda _moved: reverse("cases:bulk_reassign_result"),
        )
    except AlreadySubmitted as done:
        messages.info(request, ALREADY_SAVED)
        return redirect(done.result_path or "cases:bulk_reassign_result")
    load_after = receiver_load(receiver)
    request.session[BULK_RESULT_SESSION_KEY] = {
        "receiver": str(receiver),
        "cases": [(case.pk, case.reference) for case in moved],
        "before": load_before.before,
        "after": load_after.before,
        "before_per_fte": str(load_before.before_per_fte or "–"),
        "after_per_fte": str(load_after.before_per_fte or "–"),
        "note": data["note"],
    }
    messages.success(
        request,
        ngettext("%(n)d Fall an %(to)s übergeben.", "%(n)d Fälle an %(to)s übergeben.", len(moved))
        % {"n": len(moved), "to": receiver},
    )
    return redirect("cases:bulk_reassign_result")


@login_required
def bulk_reassign_result(request):
    """What the last bulk handover of this user moved (kept in the session for this page)."""
    if not can_assign_cases(request.user):
        raise PermissionDenied
    result = request.session.get(BULK_RESULT_SESSION_KEY)
    if result is None:
        return redirect("cases:bulk_reassign")
    detail = UrlForPks("cases:detail")
    cases = [(reference, detail(pk)) for pk, reference in result["cases"]]
    return render(request, "casework/cases/bulk_reassign_result.html", {"result": result, "cases": cases})
