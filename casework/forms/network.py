"""Forms for the network directory: an actor and its contact persons, edited on one page.

They check input; `services.actor_create` and `services.actor_update` write it.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.concurrency import add_version_fields
from casework.models import CONTACT_PERSON_OF_OTHER_ACTOR, Actor, ActorType, ContactPerson, Topic
from casework.submit_once import add_submit_token

ACTOR_NAME_REQUIRED = _("Bitte geben Sie den Namen des Akteurs an.")
ACTOR_TYPE_REQUIRED = _("Bitte wählen Sie die Akteursart.")
CONTACT_PERSON_NAME_REQUIRED = _("Bitte geben Sie den Namen der Ansprechperson an.")
EMAIL_INVALID = _("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. beratung@beispiel.de.")
WEBSITE_INVALID = _("Bitte geben Sie eine gültige Internetadresse an, z. B. https://www.beispiel.de.")
CHOICE_INVALID = _("Bitte wählen Sie einen der angebotenen Einträge.")


PHONE_INPUT = forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
CONTACT_PERSON_EXTRA_ROWS = 2
# A tuple of its own: inline formsets append the foreign key to a form's `Meta.fields` list.
CONTACT_PERSON_FIELDS = ("name", "role", "phone", "email", "is_active")


class HttpsURLField(forms.URLField):
    """An address typed without a scheme ("www.beispiel.de") is taken as https."""

    def __init__(self, *, assume_scheme="https", **kwargs):
        super().__init__(assume_scheme=assume_scheme, **kwargs)


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
        field_classes = {"website": HttpsURLField}
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

    def __init__(self, *args, municipalities, **kwargs):
        """`municipalities`: those the actor may serve (`selectors.municipalities_for_actor`)."""
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
        self.fields["municipalities"].queryset = municipalities
        self.fields["municipalities"].error_messages["invalid_choice"] = CHOICE_INVALID
        self.fields["website"].widget.attrs.setdefault("placeholder", "https://")
        if self.instance.pk:
            add_version_fields(self, self.instance, self.Meta.fields)
        else:
            add_submit_token(self)

    def municipality_groups(self) -> list[tuple[str, list]]:
        """The municipality checkboxes grouped by Teilregion, for one fieldset per region."""
        groups: dict = {}
        for box in self["municipalities"]:
            region = box.data["value"].instance.region
            groups.setdefault(region, []).append(box)
        several_districts = len({region.district_id for region in groups}) > 1
        labels = {}
        for region in groups:
            label = _("Teilregion %(name)s") % {"name": region.name}
            labels[region] = f"{region.district} – {label}" if several_districts else label
        return [(labels[region], boxes) for region, boxes in groups.items()]

    def service_fields(self) -> dict:
        """The cleaned data as keyword arguments for `actor_create` / `actor_update`."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = list(CONTACT_PERSON_FIELDS)
        widgets = {"phone": PHONE_INPUT}
        error_messages = {
            "name": {"required": CONTACT_PERSON_NAME_REQUIRED},
            "email": {"invalid": EMAIL_INVALID},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "role", "email"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")


class BaseContactPersonFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("entfernen")

    def clean(self):
        super().clean()
        # The hidden id field accepts any contact person; only this actor's may be named.
        for form in self.forms:
            person = getattr(form, "cleaned_data", {}).get("id")
            if person is not None and person.actor_id != self.instance.pk:
                raise forms.ValidationError(CONTACT_PERSON_OF_OTHER_ACTOR)

    def changes(self) -> tuple[list[dict], list[ContactPerson]]:
        """(rows to create or change, contact persons to delete), as the services expect them.

        Untouched rows are skipped; a row marked for deletion that was never saved is
        simply dropped.
        """
        keep, remove = [], []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                if form.instance.pk:
                    remove.append(form.instance)
                continue
            if not form.has_changed():
                continue
            row = {name: form.cleaned_data[name] for name in CONTACT_PERSON_FIELDS}
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
