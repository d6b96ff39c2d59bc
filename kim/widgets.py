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


def _label_html(label) -> str:
    return label.__html__() if hasattr(label, "__html__") else html.escape(str(label))


class FastSelect(forms.Select):
    """A <select> whose options are written in Python: same HTML as forms.Select.

    `option_attrs` maps an option's value to extra attributes of its <option> (e.g. the
    actor a contact person belongs to, for the script that narrows the list)."""

    option_attrs: dict = {}

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        wanted = set(self.format_value(value))
        multiple = self.allow_multiple_selected
        has_selected = False
        parts = [f'<select name="{_escape(name)}"{flat_attrs(final_attrs)}>']
        add = parts.append

        option_attrs = self.option_attrs

        def option(option_value, label):
            nonlocal has_selected
            option_value = "" if option_value is None else str(option_value)
            selected = (multiple or not has_selected) and option_value in wanted
            has_selected |= selected
            extra = flat_attrs(option_attrs[option_value]) if option_value in option_attrs else ""
            add(
                f'\n  <option value="{html.escape(option_value)}"{extra}{" selected" if selected else ""}>'
                f"{_label_html(label)}</option>"
            )

        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                add(f'\n  <optgroup label="{_escape(option_value)}">')
                for sub_value, sub_label in label:
                    option(sub_value, sub_label)
                add("\n  </optgroup>")
            else:
                option(option_value, label)
        add("\n</select>")
        return mark_safe("".join(parts))


class FastCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes written in Python, one `<div class="checkbox-row">` with its label each.

    `render()` returns the rows templates/includes/checkbox_group.html would write by
    looping over the field, so that template prints `{{ field }}` instead (see
    `renders_checkbox_rows`) and the legend, help text and errors stay where they were.
    """

    renders_checkbox_rows = True
    filter_label = ""  # set: templates/includes/checkbox_group.html asks kim.js for a search box

    def render(self, name, value, attrs=None, renderer=None):
        base_attrs = self.build_attrs(self.attrs, attrs)
        id_ = base_attrs.get("id")
        # Each row's attributes in Django's order: the widget's own, the id (numbered per
        # option as in id_for_label), the rest, then `checked`. Only id and `checked` vary.
        # (BoundField passes the id after aria-invalid; its subwidgets put it first.)
        names = [*self.attrs, *(k for k in (attrs or {}) if k not in self.attrs)]
        if id_ and "id" not in self.attrs:
            names.remove("id")
            names.insert(len(self.attrs), "id")
        cut = names.index("id") if id_ else len(names)
        before = flat_attrs({k: base_attrs[k] for k in names[:cut]})
        after = flat_attrs({k: base_attrs[k] for k in names[cut + 1 :]})
        checked = flat_attrs(self.checked_attribute)
        start = f'<div class="checkbox-row"><input type="checkbox" name="{_escape(name)}" value="'
        id_prefix = f"{_escape(id_)}_" if id_ else ""
        wanted = set(self.format_value(value))
        rows = []
        add = rows.append

        def row(option_value, label, index):
            option_value = "" if option_value is None else str(option_value)
            option_id = f"{id_prefix}{index}" if id_ else ""
            id_attr = f' id="{option_id}"' if id_ else ""
            add(
                f'{start}{html.escape(option_value)}"{before}{id_attr}{after}'
                f"{checked if option_value in wanted else ''}> "
                f'<label for="{option_id}">{_label_html(label)}</label></div>'
            )

        for index, (option_value, label) in enumerate(self.choices):
            if isinstance(label, (list, tuple)):
                # A group of choices: its own fieldset with the group's name as legend.
                add(f'<fieldset class="choice-group"><legend>{_label_html(option_value)}</legend>')
                for subindex, (sub_value, sub_label) in enumerate(label):
                    row(sub_value, sub_label, f"{index}_{subindex}")
                add("</fieldset>")
            else:
                row(option_value, label, index)
        return mark_safe("\n  ".join(rows))
