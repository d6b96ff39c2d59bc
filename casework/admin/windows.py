"""Inlines of large relations: a case's 200 contacts, a client's many cases, an actor's contact
persons. Each shows only its newest rows, edits exactly those, and links to the changelist
filtered to the parent object for the rest, so a change page costs the same queries whatever
the relation's size (every row's autocomplete widgets read their selected values one by one).
"""

from types import MethodType

from django.contrib.admin.widgets import AutocompleteMixin
from django.forms.models import BaseInlineFormSet
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Rows an inline of a large relation shows, newest first (the model's ordering).
WINDOW_ROWS = 10


def _autocomplete_widget(field):
    widget = getattr(field.widget, "widget", field.widget)  # inside RelatedFieldWidgetWrapper
    return widget if isinstance(widget, AutocompleteMixin) else None


def _selected(value) -> list[str]:
    values = value if isinstance(value, list | tuple) else [value]
    return [str(getattr(v, "pk", v)) for v in values if v not in (None, "")]


def _cached_optgroups(self, name, value, attr=None):
    """AutocompleteMixin.optgroups with the selected options' labels from `self.label_cache`
    (filled for all rows at once by SelectedLabelsFormSetMixin) instead of a query per row."""
    default = (None, [], 0)
    groups = [default]
    selected = [v for v in _selected(value) if v in self.label_cache]
    if len(selected) != len(_selected(value)):
        return type(self).optgroups(self, name, value, attr)
    if not self.is_required and not self.allow_multiple_selected:
        default[1].append(self.create_option(name, "", "", False, 0))
    for index, option_value in enumerate(selected):
        option = self.create_option(name, option_value, self.label_cache[option_value], True, index)
        if self.allow_multiple_selected:
            groups.append((None, [option], index))
        else:
            default[1].append(option)
    return groups


class SelectedLabelsFormSetMixin:
    """Reads the labels of the values selected in the rows' autocomplete fields in one query per
    field, where each row's widget would read its own."""

    @cached_property
    def forms(self):
        forms = super().forms
        by_field: dict[str, tuple] = {}
        for form in forms:
            for name, field in form.fields.items():
                widget = _autocomplete_widget(field)
                if widget is not None:
                    by_field.setdefault(name, (field, []))[1].extend(_selected(form[name].value()))
        for name, (field, values) in by_field.items():
            cache = {}
            if values:
                for obj in field.queryset.filter(pk__in=set(values)):
                    cache[str(obj.pk)] = field.label_from_instance(obj)
            for form in forms:
                widget = _autocomplete_widget(form.fields[name])
                widget.label_cache = cache
                widget.optgroups = MethodType(_cached_optgroups, widget)
        return forms


class WindowedInlineFormSet(SelectedLabelsFormSetMixin, BaseInlineFormSet):
    """The newest `window` rows of the relation; on POST exactly the rows the page showed.

    The rows are chosen by their ids: when the page is posted back, the ids it showed (its
    hidden id fields) are the window, so an entry added meanwhile by someone else neither
    shifts a row out of the form nor makes a posted row look new.
    """

    window = WINDOW_ROWS

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            queryset = super().get_queryset()
            if self.is_bound:
                pk_name = self.model._meta.pk.name
                posted = (
                    self.data.get(f"{self.add_prefix(i)}-{pk_name}") for i in range(self.initial_form_count())
                )
                ids = [int(value) for value in posted if value and str(value).isdigit()]
                self._queryset = queryset.filter(pk__in=ids)
            else:
                # One read for the window's rows; the queryset the formset keeps is them.
                rows = list(queryset[: self.window])
                self._queryset = queryset.filter(pk__in=[row.pk for row in rows])
                self._queryset._result_cache = rows
                self._queryset._prefetch_done = True
        return self._queryset


class WindowedInlineMixin:
    """For an InlineModelAdmin: only the newest WINDOW_ROWS rows (see WindowedInlineFormSet)."""

    formset = WindowedInlineFormSet

    def __init__(self, parent_model, admin_site):
        super().__init__(parent_model, admin_site)
        plural = self.verbose_name_plural or self.model._meta.verbose_name_plural
        self.verbose_name_plural = format_lazy("{} ({} {})", plural, _("die neuesten"), WINDOW_ROWS)
