"""Small template helpers used across pages."""

from django import forms, template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None removes one).

    Keeps filters in the URL when paging or sorting, so every view is bookmarkable.
    """
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    if "page" not in changes:
        params.pop("page", None)
    return params.urlencode()


@register.inclusion_tag("includes/sort_link.html", takes_context=True)
def sort_link(context, field: str, label: str) -> dict:
    """A column header that sorts by `field`, toggling the direction on a second click."""
    current = context["request"].GET.get("o", "")
    if current == field:
        target, state = f"-{field}", "ascending"
    elif current == f"-{field}":
        target, state = field, "descending"
    else:
        target, state = field, None
    return {"request": context["request"], "target": target, "state": state, "label": label}


@register.filter
def phase_badge_class(phase: str) -> str:
    return f"phase-{phase}"


@register.filter
def widget_kind(bound_field) -> str:
    """How a field is laid out: one checkbox, a group of checkboxes, or an input with its label."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkbox-group"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


@register.filter
def field_anchor(bound_field) -> str:
    """The id an error summary links to: the input itself, or a group's first checkbox."""
    if widget_kind(bound_field) == "checkbox-group":
        first = next(iter(bound_field.subwidgets), None)  # "_0", or "_0_0" in a group
        return first.id_for_label if first is not None else bound_field.auto_id
    widget = bound_field.field.widget
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


@register.simple_tag(takes_context=True)
def active_filter_count(context) -> int:
    """How many filters of a list are set, for the summary of its collapsed filter panel."""
    ignored = {"o", "page"}
    return sum(1 for key, values in context["request"].GET.lists() if key not in ignored and any(values))
