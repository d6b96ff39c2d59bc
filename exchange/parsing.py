"""Turning one cell of an import file into a value, with a German message when it cannot be."""

import datetime as dt
import re

from django.utils.translation import gettext as _
from django_countries import countries

from casework.models import Gender, LegalFramework, ResidenceStatus
from regions.models import District, Municipality

BAD_DATE = "Spalte „%(column)s“: „%(value)s“ ist kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT)."
REQUIRED = "Spalte „%(column)s“ darf nicht leer sein."
TOO_LONG = "Spalte „%(column)s“ ist länger als %(max)d Zeichen."
UNKNOWN_MUNICIPALITY = "Kommune „%(value)s“ ist unbekannt (Name oder amtlicher Gemeindeschlüssel erwartet)."
MUNICIPALITY_OUTSIDE_DISTRICT = "Kommune „%(value)s“ gehört nicht zum %(district)s."
UNKNOWN_CHOICE = "Spalte „%(column)s“: „%(value)s“ ist unbekannt. Erlaubt: %(allowed)s."
UNKNOWN_COUNTRY = "Spalte „%(column)s“: „%(value)s“ ist kein Ländercode nach ISO 3166 (z. B. SY, UA, DE)."
UNKNOWN_LEGAL_FRAMEWORK = "Spalte „rechtskreise“: „%(value)s“ ist unbekannt. Erlaubt: %(allowed)s."

_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SPLIT = re.compile(r"\s*[,;]\s*")

ALL_MUNICIPALITIES = "alle"


def split_list(value: str) -> list[str]:
    return [item for item in _SPLIT.split(value.strip()) if item]


def text(values: dict, column: str, errors: list, *, required: bool = False, max_length: int = 200) -> str:
    value = values.get(column, "").strip()
    if required and not value:
        errors.append(_(REQUIRED) % {"column": column})
    if len(value) > max_length:
        errors.append(_(TOO_LONG) % {"column": column, "max": max_length})
    return value


def date(values: dict, column: str, errors: list) -> dt.date | None:
    value = values.get(column, "").strip()
    if not value:
        return None
    match = _DMY.match(value)
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    if parts is None and (match := _ISO.match(value)):
        parts = match.groups()
    try:
        if parts is None:
            raise ValueError(value)
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        errors.append(_(BAD_DATE) % {"column": column, "value": value})
        return None


def _fold(value: str) -> str:
    return value.strip().casefold()


def choice(values: dict, column: str, choices, errors: list, *, aliases: dict | None = None, default=""):
    """A TextChoices value by its code or its German label (case-insensitive)."""
    value = values.get(column, "").strip()
    if not value:
        return default
    lookup = {_fold(code): code for code, _label in choices.choices}
    lookup.update({_fold(str(label)): code for code, label in choices.choices})
    lookup.update({_fold(k): v for k, v in (aliases or {}).items()})
    if _fold(value) in lookup:
        return lookup[_fold(value)]
    allowed = ", ".join(code for code, _label in choices.choices)
    errors.append(_(UNKNOWN_CHOICE) % {"column": column, "value": value, "allowed": allowed})
    return default


GENDER_ALIASES = {"w": Gender.FEMALE, "weiblich": Gender.FEMALE, "männlich": Gender.MALE}


def gender(values: dict, errors: list) -> str:
    return choice(values, "geschlecht", Gender, errors, aliases=GENDER_ALIASES, default=Gender.UNSPECIFIED)


def residence_status(values: dict, errors: list) -> str:
    return choice(values, "aufenthaltsstatus", ResidenceStatus, errors, default=ResidenceStatus.UNCLEAR)


def country(values: dict, column: str, errors: list) -> str:
    value = values.get(column, "").strip()
    if not value:
        return ""
    code = countries.alpha2(value.upper()) or countries.by_name(value, language="de") or ""
    if not code:
        errors.append(_(UNKNOWN_COUNTRY) % {"column": column, "value": value})
    return code


class Catalogues:
    """Everything an import looks values up in, read once per import rather than once per row."""

    def __init__(self):
        self.municipalities = list(Municipality.objects.select_related("region__district"))
        self._by_key = {}
        for municipality in self.municipalities:
            self._by_key[municipality.ags] = municipality
            self._by_key[_fold(municipality.name)] = municipality
        self.legal_frameworks = list(LegalFramework.objects.filter(is_active=True))
        self._frameworks = {}
        for framework in self.legal_frameworks:
            self._frameworks[_fold(framework.code)] = framework
            self._frameworks[_fold(framework.name)] = framework

    def municipality(self, value: str, errors: list) -> Municipality | None:
        value = value.strip()
        # An AGS typed as a number loses its leading zero in a spreadsheet: 5558012.
        key = value.zfill(8) if value.isdigit() and len(value) == 7 else _fold(value)
        found = self._by_key.get(key)
        if found is None:
            errors.append(_(UNKNOWN_MUNICIPALITY) % {"value": value})
        return found

    def municipalities_of(self, district: District) -> list[Municipality]:
        return [m for m in self.municipalities if m.region.district_id == district.pk]

    def district_municipalities(self, value: str, district: District, errors: list) -> list[Municipality]:
        """A list of municipalities of `district` (names or AGS), or „alle“ for all of them."""
        if _fold(value) == ALL_MUNICIPALITIES:
            return self.municipalities_of(district)
        found = []
        for item in split_list(value):
            municipality = self.municipality(item, errors)
            if municipality is None:
                continue
            if municipality.region.district_id != district.pk:
                errors.append(_(MUNICIPALITY_OUTSIDE_DISTRICT) % {"value": item, "district": district})
                continue
            found.append(municipality)
        return found

    def legal_frameworks_in(self, value: str, errors: list) -> list[LegalFramework]:
        found = []
        for item in split_list(value):
            framework = self._frameworks.get(_fold(item))
            if framework is None:
                allowed = ", ".join(f.code for f in self.legal_frameworks)
                errors.append(_(UNKNOWN_LEGAL_FRAMEWORK) % {"value": item, "allowed": allowed})
            else:
                found.append(framework)
        return found
