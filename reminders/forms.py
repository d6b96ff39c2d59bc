from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WEEKDAYS, ReminderSettings


class ReminderSettingsForm(forms.ModelForm):
    weekdays = forms.MultipleChoiceField(
        label=_("an diesen Tagen"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ReminderSettings
        fields = ["enabled", "weekdays"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["weekdays"] = list(self.instance.weekdays)

    def clean_weekdays(self) -> str:
        return "".join(sorted(self.cleaned_data["weekdays"]))

    def clean(self):
        data = super().clean()
        if data.get("enabled") and not data.get("weekdays"):
            self.add_error(
                "weekdays",
                _("Bitte wählen Sie mindestens einen Wochentag oder schalten Sie die Erinnerung ab."),
            )
        return data
