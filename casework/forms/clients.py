"""Forms for registering and editing clients and for opening their cases.

They check input; the services in `casework.services` write it and apply the rules.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.concurrency import add_version_fields
from casework.models import (
    DATE_IN_FUTURE,
    DATE_OF_BIRTH_IN_FUTURE,
    DATE_OF_BIRTH_TOO_OLD,
    Client,
    HouseholdRole,
    LegalFramework,
)
from casework.selectors import case_manager_candidates, municipalities_for
from casework.submit_once import add_submit_token

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_HOUSEHOLD_MEMBERS = 6

MEMBER_NEEDS_FIRST_NAME = _("Bitte geben Sie den Vornamen an.")
MEMBER_NEEDS_ROLE = _("Bitte wählen Sie die Rolle im Haushalt.")
TOO_MANY_MEMBERS = _("Es können höchstens %(max)s Haushaltsmitglieder auf einmal erfasst werden.")
MANAGER_OUTSIDE_REGION = _("%(person)s arbeitet nicht in der Teilregion %(region)s.")


def check_date_of_birth(value):
    """The same rule as `Client.clean()`, for the member rows that are no model form."""
    if value:
        today = timezone.localdate()
        if value > today:
            raise ValidationError(DATE_OF_BIRTH_IN_FUTURE)
        if value < today.replace(year=today.year - 120):
            raise ValidationError(DATE_OF_BIRTH_TOO_OLD)


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.region.name})"


class ClientForm(forms.ModelForm):
    """A client's own data, as registered and as edited later."""

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "nationality",
            "languages",
            "needs_interpreter",
            "residence_status",
            "residence_valid_until",
            "legal_frameworks",
            "municipality",
            "street",
            "postal_code",
            "phone",
            "email",
        ]
        field_classes = {"municipality": MunicipalityChoiceField}
        widgets = {
            "date_of_birth": DATE_INPUT,
            "residence_valid_until": DATE_INPUT,
            "legal_frameworks": forms.CheckboxSelectMultiple,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{5}"}),
        }
        help_texts = {
            "residence_valid_until": _("Bei befristeten Titeln, Gestattung und Duldung."),
            "municipality": _("Es stehen die Kommunen Ihrer Teilregionen zur Auswahl."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities_for(user)
        self.fields["municipality"].empty_label = _("– bitte wählen –")
        frameworks = Q(is_active=True)
        if self.instance.pk:
            # A framework retired later stays ticked (and tickable) for clients who have it.
            frameworks |= Q(clients=self.instance)
        self.fields["legal_frameworks"].queryset = LegalFramework.objects.filter(frameworks).distinct()
        # A checkbox reads as a statement; no colon after its label.
        self.fields["needs_interpreter"].label_suffix = ""
        for name in ("first_name", "last_name", "languages", "street"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")
        self.fields["nationality"].choices = [
            ("", _("– unbekannt –")),
            *list(self.fields["nationality"].choices)[1:],
        ]
        if self.instance.pk:
            # Editing: a save that started from an older version is refused (casework/concurrency.py).
            add_version_fields(self, self.instance, self.Meta.fields)

    def service_fields(self) -> dict:
        """The cleaned data as keyword arguments for the services, without the many-to-many field."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "legal_frameworks"}


class ClientCreateForm(ClientForm):
    duplicates_checked = forms.BooleanField(label=_("trotzdem neu anlegen"), required=False, label_suffix="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].help_text = _(
            "Vor dem Speichern wird geprüft, ob die Person schon erfasst ist – "
            "aus Datenschutzgründen nur unter den Klient/innen Ihrer Teilregionen."
        )
        add_submit_token(self)


class HouseholdMemberForm(forms.Form):
    """One further person of the household, registered together with the client."""

    first_name = forms.CharField(label=_("Vorname"), max_length=100, required=False)
    # Left empty, the member gets the client's last name (said once above the rows).
    last_name = forms.CharField(label=_("Nachname"), max_length=100, required=False)
    date_of_birth = forms.DateField(
        label=_("Geburtsdatum"), required=False, widget=DATE_INPUT, validators=[check_date_of_birth]
    )
    household_role = forms.ChoiceField(
        label=_("Rolle im Haushalt"),
        required=False,
        choices=[("", _("– bitte wählen –"))]
        + [(value, label) for value, label in HouseholdRole.choices if value != HouseholdRole.HEAD],
    )

    def clean(self):
        data = super().clean()
        if not self.has_changed():
            return data
        if not data.get("first_name") and "first_name" not in self.errors:
            self.add_error("first_name", MEMBER_NEEDS_FIRST_NAME)
        if not data.get("household_role"):
            self.add_error("household_role", MEMBER_NEEDS_ROLE)
        return data


class BaseHouseholdMemberFormSet(forms.BaseFormSet):
    def members(self) -> list[dict]:
        """The filled-in rows, as the service expects them."""
        return [
            {
                "first_name": form.cleaned_data["first_name"],
                "last_name": form.cleaned_data["last_name"],
                "date_of_birth": form.cleaned_data["date_of_birth"],
                "household_role": form.cleaned_data["household_role"],
            }
            for form in self.forms
            if form.has_changed() and form.cleaned_data
        ]


HouseholdMemberFormSet = forms.formset_factory(
    HouseholdMemberForm,
    formset=BaseHouseholdMemberFormSet,
    extra=MAX_HOUSEHOLD_MEMBERS,
    max_num=MAX_HOUSEHOLD_MEMBERS,
    absolute_max=MAX_HOUSEHOLD_MEMBERS,
    validate_max=True,
)


class OpenCaseForm(forms.Form):
    """Open a case for a client: where, by whom, since when, under which legal frameworks."""

    municipality = MunicipalityChoiceField(label=_("Kommune"), queryset=None)
    case_manager: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Case Manager/in"),
        queryset=None,
        required=False,
        empty_label=_("– noch niemand –"),
        help_text=_("Aktive Mitarbeitende, die in der Teilregion der Kommune arbeiten."),
    )
    opened_on = forms.DateField(
        label=_("eröffnet am"),
        widget=DATE_INPUT,
        help_text=_(
            "Der Tag des ersten Kontakts, wenn er vor heute lag: Kontakte und Vermittlungen "
            "lassen sich nicht vor diesem Tag eintragen."
        ),
    )
    legal_frameworks = forms.ModelMultipleChoiceField(
        label=_("Rechtskreise"),
        queryset=LegalFramework.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["municipality"].queryset = municipalities_for(user)
        self.fields["case_manager"].queryset = case_manager_candidates(user=user)
        self.fields["legal_frameworks"].queryset = LegalFramework.objects.filter(is_active=True)
        if not self.is_bound:
            self.initial.setdefault("municipality", client.municipality_id)
            self.initial.setdefault("case_manager", user.pk)
            self.initial.setdefault("opened_on", timezone.localdate())
            if "legal_frameworks" not in self.initial:
                self.initial["legal_frameworks"] = [lf.pk for lf in client.legal_frameworks.all()]
        add_submit_token(self)

    def clean_opened_on(self):
        opened_on = self.cleaned_data["opened_on"]
        if opened_on > timezone.localdate():
            raise ValidationError(DATE_IN_FUTURE)
        return opened_on

    def clean(self):
        data = super().clean()
        municipality, manager = data.get("municipality"), data.get("case_manager")
        if municipality and manager and not manager.regions.filter(pk=municipality.region_id).exists():
            self.add_error(
                "case_manager",
                MANAGER_OUTSIDE_REGION % {"person": manager, "region": municipality.region.name},
            )
        return data
