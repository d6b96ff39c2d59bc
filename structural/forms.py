"""Forms of the structural app. They validate input; structural.services applies the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Actor, LegalFramework, Topic

from .models import Barrier, CaseConference, EscalationStep, Theme

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NEW_THEME_NEEDS_TITLE = _("Wählen Sie ein Thema oder geben Sie einen Titel für ein neues Thema ein.")
NO_BARRIER_CHOSEN = _("Bitte wählen Sie mindestens eine Barriere aus.")


class BarrierForm(forms.ModelForm):
    class Meta:
        model = Barrier
        fields = ["actor", "legal_framework", "topic", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3, "maxlength": 500})}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = Actor.objects.filter(
            district=case.district_id, is_active=True
        ).order_by("name")
        self.fields["legal_framework"].queryset = LegalFramework.objects.filter(is_active=True)
        self.fields["topic"].queryset = Topic.objects.filter(is_active=True)


class AssignBarriersForm(forms.Form):
    """Koordination gathers selected barriers into an existing or a new theme."""

    barriers = forms.ModelMultipleChoiceField(
        label=_("Barrieren"), queryset=Barrier.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    theme = forms.ModelChoiceField(label=_("in das Thema"), queryset=Theme.objects.none(), required=False)
    new_title = forms.CharField(label=_("oder neues Thema"), max_length=200, required=False)

    def __init__(self, *args, barriers, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["barriers"].queryset = barriers
        self.fields["barriers"].error_messages["required"] = NO_BARRIER_CHOSEN
        self.fields["theme"].queryset = themes

    def clean(self):
        data = super().clean()
        if not data.get("theme") and not (data.get("new_title") or "").strip():
            raise forms.ValidationError(NEW_THEME_NEEDS_TITLE)
        return data


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class ThemeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("neue Stufe"), choices=EscalationStep.choices)
    decided_on = forms.DateField(label=_("am"), widget=DATE_INPUT, initial=timezone.localdate)
    text = forms.CharField(
        label=_("Beschluss / Ergebnis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Was das Gremium beschlossen hat, ohne personenbezogene Daten."),
    )


class ThemeMergeForm(forms.Form):
    merged = forms.ModelChoiceField(label=_("Thema, das in dieses aufgeht"), queryset=Theme.objects.none())

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merged"].queryset = themes


class ConferenceForm(forms.ModelForm):
    class Meta:
        model = CaseConference
        fields = ["held_on", "participants", "decisions"]
        widgets = {
            "held_on": DATE_INPUT,
            "participants": forms.Textarea(attrs={"rows": 2}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }


class DecisionToPlanForm(forms.Form):
    """One decision of a conference taken into the case plan."""

    GOAL, FOLLOW_UP = "goal", "follow_up"
    kind = forms.ChoiceField(
        label=_("übernehmen als"),
        choices=[(GOAL, _("Ziel")), (FOLLOW_UP, _("Wiedervorlage"))],
        widget=forms.RadioSelect,
        initial=GOAL,
    )
    title = forms.CharField(label=_("Ziel bzw. Aufgabe"), max_length=200)
    date = forms.DateField(
        label=_("Zieldatum bzw. fällig am"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Für eine Wiedervorlage erforderlich."),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == self.FOLLOW_UP and not data.get("date"):
            self.add_error("date", _("Eine Wiedervorlage braucht ein Fälligkeitsdatum."))
        return data
