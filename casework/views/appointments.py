"""Appointments (Termine) of a case, and the personal calendar feed."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from casework import calendar, selectors, services
from casework.forms.appointments import AppointmentContactForm
from casework.models import Appointment, CalendarFeed
from kim.drafts import login_required_keep_input

from .access import get_case_for_user
from .cases import _case_entry_view, _case_page


@login_required_keep_input(_case_page)
@require_POST
def appointment_add(request, pk: int):
    def save(case, form):
        data = dict(form.cleaned_data)
        members = data.pop("household_members", ())
        services.appointment_create(case=case, by=request.user, household_members=members, **data)

    return _case_entry_view(request, pk, slug="termin", save=save, success_message=_("Termin gespeichert."))


@login_required
@require_POST
def appointment_took_place(request, pk: int, appointment_pk: int):
    """The appointment took place: record it as a contact, in one step."""
    case = get_case_for_user(request, pk, for_update=True)
    appointment = get_object_or_404(Appointment, pk=appointment_pk, case=case)
    form = AppointmentContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte geben Sie eine Dauer zwischen 1 und 600 Minuten an."))
        return redirect(case)
    try:
        services.appointment_record_contact(
            appointment=appointment, by=request.user, duration_minutes=form.cleaned_data["duration_minutes"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Der Termin ist als Kontakt erfasst."))
    return redirect(case)


@login_required
@never_cache
def calendar_settings(request):
    """The user's calendar address: made (or renewed) on request and shown once."""
    address = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in {"renew", "revoke"}:
            messages.error(request, _("Bitte wählen Sie „Adresse erzeugen“ oder „Kalender-Abo abschalten“."))
            return redirect("calendar_settings")
        if action == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(
                request, _("Das Kalender-Abo ist abgeschaltet; die bisherige Adresse gilt nicht mehr.")
            )
            return redirect("calendar_settings")
        token = services.calendar_feed_renew(user=request.user)
        address = request.build_absolute_uri(
            reverse("calendar_feed", kwargs={"user_pk": request.user.pk, "token": token})
        )
    return render(
        request,
        "casework/calendar.html",
        {"address": address, "has_feed": CalendarFeed.objects.filter(user=request.user).exists()},
    )


@require_GET
@never_cache
def calendar_feed(request, user_pk: int, token: str):
    """The iCalendar file for calendar programs. The secret token is the only authentication:
    no login, no session. Wrong or renewed tokens get 404, like an unknown address."""
    # An id beyond any primary key is an unknown address, not a database error.
    feed = selectors.calendar_feed_for(user_pk) if user_pk < 2**63 else None
    if not calendar.token_matches(feed.token_hash if feed else None, token):
        raise Http404
    modes = dict(Appointment._meta.get_field("mode").choices)
    events = [
        (
            pk,
            starts_at,
            starts_at + dt.timedelta(minutes=duration),
            updated_at,
            reference,
            modes.get(mode, mode),
            request.build_absolute_uri(reverse("cases:detail", args=[case_id])),
        )
        for pk, starts_at, duration, updated_at, mode, case_id, reference in selectors.feed_appointments(
            feed.user
        )
    ]
    response = HttpResponse(
        calendar.render_calendar(events, host=request.get_host().split(":")[0]),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="kim-termine.ics"'
    return response
