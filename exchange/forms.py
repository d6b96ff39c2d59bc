from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from regions.models import District

from .readers import ImportLimitError, check_size

ACTORS = "akteure"
CLIENTS = "klientinnen"
KIND_CHOICES = [
    (CLIENTS, _("Klient/innen mit Fällen")),
    (ACTORS, _("Akteure des Netzwerks mit Ansprechpersonen")),
]
WRONG_SUFFIX = _("Bitte laden Sie eine CSV-Datei (.csv) oder eine Excel-Arbeitsmappe (.xlsx) hoch.")


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Was wird importiert?"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("Datei"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    district = forms.ModelChoiceField(
        label=_("Kreis (für Akteure)"), queryset=District.objects.order_by("name"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["file"].help_text = _(
            "CSV (UTF-8 oder Windows-1252, getrennt durch ; oder ,) oder Excel (.xlsx), höchstens "
            "%(mb)s MB und %(rows)s Datenzeilen."
        ) % {"mb": f"{settings.KIM_IMPORT_MAX_BYTES / 2**20:g}", "rows": settings.KIM_IMPORT_MAX_ROWS}
        if user.district_id:
            # Actors always go into the importer's own district.
            del self.fields["district"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except ImportLimitError as error:
            raise forms.ValidationError(error.message) from error
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(WRONG_SUFFIX)
        return upload

    def clean(self):
        data = super().clean()
        if data.get("kind") == ACTORS and "district" in self.fields and not data.get("district"):
            self.add_error("district", _("Bitte wählen Sie den Kreis, in den die Akteure gehören."))
        return data

    def chosen_district(self):
        return self.user.district if self.user.district_id else self.cleaned_data.get("district")
