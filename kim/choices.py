"""One wording for the empty choice of every select: "– bitte wählen –", not Django's "---------".

Django spells its empty choice in two places: the blank choice of a model field with choices
(`BLANK_CHOICE_DASH`, the default argument of `Field.get_choices`, so it is replaced in place)
and the default `empty_label` of `ModelChoiceField`. Both are set here, once, when the apps
are ready; a form that wants another wording ("– Fall wählen –") still passes its own.
"""

from django import forms
from django.db.models import fields
from django.utils.translation import gettext_lazy as _

EMPTY_CHOICE = _("– bitte wählen –")
DJANGO_EMPTY_CHOICE = "---------"


def use_one_empty_choice_wording() -> None:
    fields.BLANK_CHOICE_DASH[:] = [("", EMPTY_CHOICE)]
    original = forms.ModelChoiceField.__init__
    if getattr(original, "kim_empty_choice", False):
        return

    def __init__(self, *args, empty_label=EMPTY_CHOICE, **kwargs):
        if empty_label == DJANGO_EMPTY_CHOICE:
            empty_label = EMPTY_CHOICE
        original(self, *args, empty_label=empty_label, **kwargs)

    __init__.kim_empty_choice = True
    forms.ModelChoiceField.__init__ = __init__
