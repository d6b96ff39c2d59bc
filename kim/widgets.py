"""Choice widgets that build their HTML in Python.

Django renders every <option> and every checkbox of a choice widget through a template
of its own. With the ~1,000 actors of a district, or a case manager's hundreds of open
cases, that is most of a page's time. These widgets produce the same HTML as Django's
(the attributes the BoundField passes – id, required, aria-* –, selected options,
optgroups) with `django.utils.html` instead. Use them wherever a choice list can be long.
"""

import html

from django import forms
from django.utils.safestring import mark_safe


def _escape(text) -> str:
    """django.utils.html.conditional_escape without its lazy-string wrapper, which costs
    more than the escaping when called for every option of a long list."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


def flat_attrs(attrs: dict) -> str:
    """Attributes as Django's attrs.html writes them: in order, True bare, False left out."""
    parts = []
    for name, value in attrs.items():
        if value is False or value is None:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{_escape(value)}"')
    return "".join(parts)


def _choice_groups(choices):
    """(group label or None, [(value, label), ...]) for a flat or grouped choice list."""
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            yield value, label
        else:
            yield None, ((value, label),)


class FastSelect(forms.Select):
    """A <select> whose options are written in Python: same HTML as forms.Select."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        wanted = set(self.format_value(value))
        has_selected = False
        parts = [f'<select name="{_escape(name)}"{flat_attrs(final_attrs)}>']
        for group, options in _choice_groups(self.choices):
            if group is not None:
                parts.append(f'\n  <optgroup label="{_escape(group)}">')
            for option_value, label in options:
                option_value = "" if option_value is None else str(option_value)
                selected = (not has_selected or self.allow_multiple_selected) and option_value in wanted
                has_selected |= selected
                parts.append(
                    f'\n  <option value="{_escape(option_value)}"{" selected" if selected else ""}>'
                    f"{_escape(label)}</option>"
                )
            if group is not None:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    """A <select multiple> written in Python: same HTML as forms.SelectMultiple."""


class FastCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes written in Python, one `<div class="checkbox-row">` with its label each.

    `render()` returns the rows templates/includes/checkbox_group.html would write by
    looping over the field, so that template prints `{{ field }}` instead (see
    `renders_checkbox_rows`) and the legend, help text and errors stay where they were.
    """

    renders_checkbox_rows = True

    def render(self, name, value, attrs=None, renderer=None):
        base_attrs = self.build_attrs(self.attrs, attrs)
        id_ = base_attrs.get("id")
        # Each row's attributes in Django's order: the widget's own, the id (numbered per
        # option), the rest, then `checked`. Only the id and `checked` change from row to row.
        names = list(base_attrs)
        cut = names.index("id") if id_ else len(names)
        before = flat_attrs({k: base_attrs[k] for k in names[:cut]})
        after = flat_attrs({k: base_attrs[k] for k in names[cut + 1 :]})
        checked = flat_attrs(self.checked_attribute)
        start = f'<div class="checkbox-row"><input type="checkbox" name="{_escape(name)}" value="'
        wanted = set(self.format_value(value))
        rows = []
        for index, (group, options) in enumerate(_choice_groups(self.choices)):
            for subindex, (option_value, label) in enumerate(options):
                option_value = "" if option_value is None else str(option_value)
                option_id = ""
                id_attr = ""
                if id_:
                    option_id = _escape(
                        self.id_for_label(id_, index if group is None else f"{index}_{subindex}")
                    )
                    id_attr = f' id="{option_id}"'
                rows.append(
                    f'{start}{_escape(option_value)}"{before}{id_attr}{after}'
                    f"{checked if option_value in wanted else ''}> "
                    f'<label for="{option_id}">{_escape(label)}</label></div>'
                )
        return mark_safe("\n  ".join(rows))
