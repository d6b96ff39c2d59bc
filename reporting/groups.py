"""The groups statistics put people into: nationality groups and age groups.

This module is the one place that defines them. The selectors turn these
definitions into database expressions, the tables take their labels and order
from here, so a new group (or a new EU member state) is one edit.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# A case is about one client or about a household. A household has no single
# nationality or age, so household cases form a group of their own in both figures.
HOUSEHOLD = "household"
HOUSEHOLD_LABEL = _("Haushalt / Familie")

UNKNOWN = "unknown"


# --- Nationality ---------------------------------------------------------------------

# EU member states other than Germany (ISO 3166-1 alpha-2; Greece is GR, not EL).
EU_WITHOUT_GERMANY = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip


@dataclass(frozen=True)
class NationalityGroup:
    key: str
    label: str
    countries: frozenset[str]


# In the order the tables show them. A nationality in none of these groups is
# "sonstige Drittstaaten"; a client without a recorded nationality is "unbekannt".
NATIONALITY_GROUPS: tuple[NationalityGroup, ...] = (
    NationalityGroup("de", _("Deutschland"), frozenset({"DE"})),
    NationalityGroup("eu", _("EU-Staaten (ohne Deutschland)"), EU_WITHOUT_GERMANY),
    NationalityGroup("sy", _("Syrien"), frozenset({"SY"})),
    NationalityGroup("af", _("Afghanistan"), frozenset({"AF"})),
    NationalityGroup("iq", _("Irak"), frozenset({"IQ"})),
    NationalityGroup("tr", _("Türkei"), frozenset({"TR"})),
    NationalityGroup("ua", _("Ukraine"), frozenset({"UA"})),
)
OTHER_THIRD_COUNTRIES = "third"
NATIONALITY_LABELS: dict[str, str] = {
    **{group.key: group.label for group in NATIONALITY_GROUPS},
    OTHER_THIRD_COUNTRIES: _("sonstige Drittstaaten"),
    UNKNOWN: _("unbekannt"),
    HOUSEHOLD: HOUSEHOLD_LABEL,
}


# --- Age -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeGroup:
    key: str
    label: str
    min_age: int  # inclusive; the group runs up to the next group's min_age


# In ascending order; each group starts at min_age and ends before the next one starts.
AGE_GROUPS: tuple[AgeGroup, ...] = (
    AgeGroup("under_18", _("unter 18 Jahre"), 0),
    AgeGroup("18_26", _("18 bis 26 Jahre"), 18),
    AgeGroup("27_44", _("27 bis 44 Jahre"), 27),
    AgeGroup("45_64", _("45 bis 64 Jahre"), 45),
    AgeGroup("65_plus", _("65 Jahre und älter"), 65),
)
AGE_LABELS: dict[str, str] = {
    **{group.key: group.label for group in AGE_GROUPS},
    UNKNOWN: _("Geburtsdatum unbekannt"),
    HOUSEHOLD: HOUSEHOLD_LABEL,
}


def born_on_or_before_for_age(age: int, on: dt.date) -> dt.date:
    """The latest date of birth of someone who is at least `age` years old on `on`.

    Someone born on 29 February has their birthday on 1 March in a common year.
    """
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # `on` is 29 February and that year back is a common year
        return on.replace(year=on.year - age, day=28)
