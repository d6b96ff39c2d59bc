"""Showing the values of a data export (privacy.services.client_data_export) to people."""

import datetime as dt
import re

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@register.filter
def export_value(value) -> str:
    """The export keeps ISO dates and raw booleans (machine-readable, Art. 20); people read
    German dates, "ja"/"nein" and a dash for nothing."""
    if value is None or value == "" or value == []:
        return "–"
    if value is True:
        return _("ja")
    if value is False:
        return _("nein")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return formats.date_format(dt.date.fromisoformat(value), "d.m.Y")
        if _ISO_DATETIME.match(value):
            moment = timezone.localtime(dt.datetime.fromisoformat(value))
            return formats.date_format(moment, "d.m.Y H:i")
    return str(value)


@register.filter
def export_datetime(value: str):
    """The export's ISO timestamp as a datetime, for the `date` filter."""
    return dt.datetime.fromisoformat(value) if value else None
