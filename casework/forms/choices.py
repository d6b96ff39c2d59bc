"""Long model choice lists built from plain rows instead of model instances.

A district has ~1,000 actors and a case manager hundreds of open cases. Building a model
instance (and its related ones) for each option only to print an id and a name costs
more than rendering the option; these choices read `values_list()` rows instead.
Validation is untouched: the field still checks the posted value against its queryset.
"""

from collections.abc import Callable

from django import forms
from django.forms.models import ModelChoiceIterator


class RowChoiceIterator(ModelChoiceIterator):
    """(pk, label) from `values_list("pk", *field.row_fields)`, one query, no instances;
    or from `field.rows()` when rows read once serve several fields."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        label = self.field.label_from_row
        rows = (
            self.field.rows() if self.field.rows else self.queryset.values_list("pk", *self.field.row_fields)
        )
        for pk, *values in rows:
            yield (pk, label(*values))


def choices_from_rows(
    field: forms.ModelChoiceField,
    fields: tuple[str, ...],
    label: Callable[..., str],
    rows: Callable[[], list[tuple]] | None = None,
):
    """Let `field` list its options from the columns `fields`, labelled by `label(*values)`.

    Call it after the field's queryset is set; the queryset's order is kept. `rows`, if
    given, returns those rows ((pk, *fields) from the same queryset) instead of a query.
    """
    field.iterator = RowChoiceIterator
    field.row_fields = fields
    field.label_from_row = label
    field.rows = rows
    field.widget.choices = field.choices
