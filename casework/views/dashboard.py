"""Mein Arbeitsplatz: the start page of a case manager."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.roles import can_edit_case
from casework import selectors, services
from casework.forms.cases import QuickContactForm
from casework.submit_once import ALREADY_SAVED, TOKEN_FIELD, AlreadySubmitted, run_once
from kim.drafts import RESTORED, login_required_keep_input, take_draft


def _quick_contact_cases(user):
    """The open cases the user may log a contact in."""
    return (
        selectors.my_open_cases(user)
        .select_related("client", "household", "municipality")
        .order_by("reference")
    )


# `?eingabe=kontakt` opens the quick-contact panel in the page (without JavaScript; with it,
# the panel fetches `quick_contact_form` when opened), as the case page's panels do.
QUICK_CONTACT_PANEL = "kontakt"


def _render_dashboard(request, quick_form=None, status=200):
    context = selectors.dashboard_for(request.user)
    if quick_form is None and request.GET.get("eingabe") == QUICK_CONTACT_PANEL:
        open_cases = context["open_cases"]
        # The page lists the open cases already (up to 200): the form offers the same ones.
        choices = None
        if len(open_cases) == context["open_count"]:
            choices = [(case.pk, selectors.case_label(case.reference, case.subject)) for case in open_cases]
            choices.sort(key=lambda choice: choice[1])
        quick_form = QuickContactForm(
            prefix="quick", cases=_quick_contact_cases(request.user), case_choices=choices
        )
    context["quick_form"] = quick_form
    context["my_appointments"] = selectors.my_appointments(request.user)
    context["quick_contact_panel"] = QUICK_CONTACT_PANEL
    return render(request, "casework/dashboard.html", context, status=status)


@login_required
def dashboard(request):
    restored = None
    draft = take_draft(request, page=request.path)
    if draft is not None:
        # The quick contact a session expiry interrupted (kim/drafts.py): back, not saved.
        restored = QuickContactForm(draft[1], prefix="quick", cases=_quick_contact_cases(request.user))
        messages.info(request, RESTORED)
    return _render_dashboard(request, quick_form=restored)


@login_required
@never_cache  # each fetch carries fresh CSRF and submit tokens
def quick_contact_form(request):
    """The empty quick-contact form as an HTML fragment, for the dashboard's script."""
    form = QuickContactForm(prefix="quick", cases=_quick_contact_cases(request.user))
    return render(request, "casework/_quick_contact_form.html", {"quick_form": form})


@login_required_keep_input(lambda request: reverse("dashboard"))
@require_POST
def quick_contact(request):
    form = QuickContactForm(request.POST, prefix="quick", cases=_quick_contact_cases(request.user))
    if form.is_valid():
        data = dict(form.cleaned_data)
        case = data.pop("case")
        topics = data.pop("topics")
        if not can_edit_case(request.user, case):
            form.add_error("case", _("Sie dürfen in diesem Fall nichts eintragen."))
        else:
            try:
                run_once(
                    token=data.pop(TOKEN_FIELD, None),
                    user=request.user,
                    write=lambda: services.contact_create(case=case, by=request.user, topics=topics, **data),
                    result_path=lambda _contact: reverse("dashboard"),
                )
            except AlreadySubmitted:
                messages.info(request, ALREADY_SAVED)
                return redirect("dashboard")
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Kontakt im Fall %(ref)s gespeichert.") % {"ref": case.reference})
                return redirect("dashboard")
    return _render_dashboard(request, quick_form=form)
