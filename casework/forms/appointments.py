"""The appointment form of the case page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.forms.cases import district_actors
from casework.forms.choices import choices_from_rows
from casework.models import Appointment, Client, ContactPerson
from casework.models.appointments import NOBODY_INVITED
from casework.submit_once import add_submit_token
from kim.widgets import FastCheckboxSelectMultiple, FastSelect

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def household_members(case):
    """The people of the case's household other than its client (a household case: all of them)."""
    household_id = case.household_id or (case.client.household_id if case.client_id else None)
    if household_id is None:
        return Client.objects.none()
    return Client.objects.filter(household_id=household_id, anonymised_at__isnull=True).exclude(
        pk=case.client_id
    )


class AppointmentForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("Datum und Uhrzeit"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )

    class Meta:
        model = Appointment
        fields = [
            "starts_at",
            "duration_minutes",
            "mode",
            "place",
            "with_client",
            "household_members",
            "contact_person",
            "interpreter_language",
            "note",
        ]
        widgets = {
            "mode": FastSelect,
            "contact_person": FastSelect,
            "household_members": FastCheckboxSelectMultiple,
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        members = self.fields["household_members"]
        members.queryset = household_members(case).order_by("first_name", "last_name")
        members.label_from_instance = lambda client: f"{client.first_name} {client.last_name}"
        if not members.queryset.exists():
            del self.fields["household_members"]
        self.fields["contact_person"].queryset = ContactPerson.objects.filter(
            is_active=True, actor__in=district_actors(case).values("pk")
        )
        choices_from_rows(
            self.fields["contact_person"], ("name", "actor__name"), lambda name, actor: f"{name} ({actor})"
        )
        add_submit_token(self)

    def clean(self):
        data = super().clean()
        if not (data.get("with_client") or data.get("household_members") or data.get("contact_person")):
            raise forms.ValidationError(NOBODY_INVITED)
        return data


class AppointmentContactForm(forms.Form):
    """ "Hat stattgefunden": the appointment becomes a contact; the actual duration may differ."""

    duration_minutes = forms.IntegerField(
        label=_("Dauer (Minuten)"), min_value=1, max_value=600, required=False
    )
