"""Dates and the plans of cases the demo data builder works from."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from accounts.models import User
from regions.models import District, Municipality

from ..models import (
    Client,
    ClosureReason,
    Household,
)
from ..names import search_key

# --- Helpers for dates ---------------------------------------------------------------


def _rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _weekday(day: dt.date, earliest: dt.date) -> dt.date:
    """Move a weekend date back to Friday, unless that is before `earliest`."""
    if day.weekday() >= 5:
        friday = day - dt.timedelta(days=day.weekday() - 4)
        if friday >= earliest:
            return friday
    return day


@dataclass
class CaseSpec:
    """A case planned in memory before anything is written."""

    municipality: Municipality
    opened_on: dt.date
    phase: str
    client: Client | None = None
    household: Household | None = None
    closed_on: dt.date | None = None
    locked: bool = False  # the first case of a returning client must stay closed
    frameworks: set[str] = field(default_factory=set)
    needs_interpreter: bool = False
    residence_client: Client | None = None


@dataclass(slots=True)
class NewCase:
    """A case about to be written: lighter than a model instance when there are thousands."""

    reference: str
    year: int
    sequence: int
    client: Client | None
    household: Household | None
    municipality: Municipality
    case_manager: User | None
    phase: str
    opened_on: dt.date
    closed_on: dt.date | None
    closure_reason: ClosureReason | None
    pk: int | None = None

    @property
    def closure_reason_id(self) -> int | None:
        return self.closure_reason.pk if self.closure_reason else None

    def row(self, district: District) -> dict:
        return {
            "reference": self.reference,
            "district_id": district.pk,
            "year": self.year,
            "sequence": self.sequence,
            "client_id": self.client.pk if self.client else None,
            "household_id": self.household.pk if self.household else None,
            "municipality_id": self.municipality.pk,
            "case_manager_id": self.case_manager.pk if self.case_manager else None,
            "phase": self.phase,
            "opened_on": self.opened_on,
            "closed_on": self.closed_on,
            "closure_reason_id": self.closure_reason_id,
            "search_name": self.client.search_key if self.client else search_key(self.household.name),
        }


@dataclass(slots=True)
class CasePlan:
    """Everything decided about one case before its entries are written."""

    spec: CaseSpec
    case: NewCase
    path: list[str]  # the phases it went through, ending in its current one
    reached: str  # the furthest working phase (for a closed or paused case: before that)
    moments: list[dt.datetime]  # when each step of `path` happened
    end: dt.date  # the last day anything can be dated: closing day or today
    team: dict
    handover: tuple[User, User, dt.datetime] | None
    focus: list[str]  # topic names the case is mostly about
    opened_by: User
    writer_id: int
