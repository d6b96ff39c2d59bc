"""Forms for the network directory: an actor and its contact persons, edited on one page.

They check input; `services.actor_create` and `services.actor_update` write it.
"""

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Actor, ActorType, ContactPerson, Topic
from casework.selectors import municipalities_by_region
from regions.models import Municipality

ACTOR_NAME_REQUIRED = _("Bitte geben Sie den Namen des Akteurs an.")
ACTOR_TYPE_REQUIRED = _("Bitte wählen Sie die Akteursart.")
CONTACT_PERSON_NAME_REQUIRED = _("Bitte geben Sie den Namen der Ansprechperson an.")
POSTAL_CODE_INVALID = _("Die Postleitzahl besteht aus genau 5 Ziffern, z. B. 48653.")
EMAIL_INVALID = _("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. beratung@beispiel.de.")
WEBSITE_INVALID = _("Bitte geben Sie eine gültige Internetadresse an, z. B. https://www.beispiel.de.")
PHONE_INVALID = _("Bitte geben Sie eine Telefonnummer nur mit Ziffern, Leerzeichen und + ( ) / - ein.")
CHOICE_INVALID = _("Bitte wählen Sie einen der angebotenen Einträge.")

postal_code_validator = RegexValidator(r"^\d{5}$", POSTAL_CODE_INVALID)
phone_validator = RegexValidator(r"^\+?[\d\s()/\-]{3,50}$", PHONE_INVALID)

PHONE_INPUT = forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
CONTACT_PERSON_EXTRA_ROWS = 2


class ActorForm(forms.ModelForm):
    """An actor's own data. Its district is not a field: it follows from the user (see the service)."""

    class Meta:
        model = Actor
        fields = [
            "name",
            "actor_type",
            "municipalities",
            "topics",
            "street",
            "postal_code",
            "city",
            "phone",
            "email",
            "website",
            "description",
            "is_active",
        ]
        widgets = {
            "municipalities": forms.CheckboxSelectMultiple,
            "topics": forms.CheckboxSelectMultiple,
            "phone": PHONE_INPUT,
            "postal_code": forms.TextInput(
                attrs={"inputmode": "numeric", "pattern": "[0-9]{5}", "autocomplete": "postal-code"}
            ),
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "description": _("Was bietet der Akteur an, für wen, mit welchen Sprachen und Zeiten?"),
            "is_active": _("Nicht mehr bestehende Akteure deaktivieren statt löschen."),
        }
        error_messages = {
            "name": {"required": ACTOR_NAME_REQUIRED},
            "actor_type": {"required": ACTOR_TYPE_REQUIRED, "invalid_choice": CHOICE_INVALID},
            "email": {"invalid": EMAIL_INVALID},
            "website": {"invalid": WEBSITE_INVALID},
        }

    def __init__(self, *args, district=None, **kwargs):
        """`district` limits the municipalities offered; None offers every district's (superusers)."""
        super().__init__(*args, **kwargs)
        # Deactivated catalogue entries stay selectable for an actor that already has them,
        # so saving the form never silently drops them.
        types = Q(is_active=True)
        topics = Q(is_active=True)
        if self.instance.pk:
            types |= Q(pk=self.instance.actor_type_id)
            topics |= Q(actors=self.instance)
        self.fields["actor_type"].queryset = ActorType.objects.filter(types)
        self.fields["actor_type"].empty_label = _("– bitte wählen –")
        self.fields["topics"].queryset = Topic.objects.filter(topics).distinct()
        self.fields["topics"].error_messages["invalid_choice"] = CHOICE_INVALID
        municipalities = Municipality.objects.select_related("region__district").order_by(
            "region__district__name", "region__name", "name"
        )
        if district is not None:
            municipalities = municipalities.filter(region__district=district)
        self.fields["municipalities"].queryset = municipalities
        self.fields["municipalities"].error_messages["invalid_choice"] = CHOICE_INVALID
        self.show_district_in_groups = district is None
        self.fields["postal_code"].validators.append(postal_code_validator)
        self.fields["phone"].validators.append(phone_validator)
        # The browser should not guess a scheme differently from the server.
        self.fields["website"].assume_scheme = "https"
        self.fields["website"].widget.attrs.setdefault("placeholder", "https://")

    def municipality_groups(self) -> list[tuple[str, list]]:
        """The municipality checkboxes grouped by Teilregion, for one fieldset per region."""
        boxes = {str(box.data["value"]): box for box in self["municipalities"]}
        groups = []
        for region, municipalities in municipalities_by_region(self.fields["municipalities"].queryset):
            label = f"{region.district} – {region.name}" if self.show_district_in_groups else region.name
            groups.append((label, [boxes[str(m.pk)] for m in municipalities if str(m.pk) in boxes]))
        return groups

    def service_fields(self) -> dict:
        """The cleaned data as keyword arguments for `actor_create` / `actor_update`."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = ["name", "role", "phone", "email", "is_active"]
        widgets = {"phone": PHONE_INPUT}
        error_messages = {
            "name": {"required": CONTACT_PERSON_NAME_REQUIRED},
            "email": {"invalid": EMAIL_INVALID},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(phone_validator)
        for name in ("name", "role", "email"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")


class BaseContactPersonFormSet(forms.BaseInlineFormSet):
    def changes(self) -> tuple[list[dict], list[ContactPerson]]:
        """(rows to create or change, contact persons to delete), as the services expect them.

        Untouched empty rows are skipped; a row marked for deletion that was never saved
        is simply dropped.
        """
        keep, remove = [], []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    remove.append(form.instance)
                continue
            if not form.instance.pk and not form.has_changed():
                continue
            row = {name: form.cleaned_data[name] for name in ContactPersonForm.Meta.fields}
            if form.instance.pk:
                row["pk"] = form.instance.pk
            keep.append(row)
        return keep, remove


ContactPersonFormSet = forms.inlineformset_factory(
    Actor,
    ContactPerson,
    form=ContactPersonForm,
    formset=BaseContactPersonFormSet,
    extra=CONTACT_PERSON_EXTRA_ROWS,
    can_delete=True,
    max_num=50,
    absolute_max=50,
    validate_max=True,
)
