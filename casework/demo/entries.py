"""Writes the life of each planned case: the case, its history, consents, referrals, contacts,
goals and follow-ups."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Max

from ..lifecycle import Phase, is_transition_allowed
from ..models import (
    Actor,
    Case,
    CaseAssignment,
    Channel,
    Consent,
    Contact,
    FollowUp,
    Goal,
    GoalStatus,
    GoalStatusChange,
    PhaseChange,
    Referral,
)
from ..references import format_reference
from .common import CASE_CHUNK, RESIDENCE_WARNING_DAYS, Weights, _weighted
from .plans import CasePlan, CaseSpec, NewCase, _rand_date, _weekday
from .texts import (
    CHANNEL_OPENINGS,
    CHANNEL_WEIGHTS,
    CONSENT_PURPOSE,
    CONTACT_CLOSINGS,
    CONTACT_NOTES,
    FIRST_CONTACT_NOTE,
    FOLLOW_UP_TITLES,
    GOALS,
    REFERRAL_OUTCOMES,
    RESIDENCE_FOLLOW_UP,
    STATUTORY_BASIS,
    TOPIC_WEIGHTS,
)


class CaseLifeWriter:
    """The writing half of `DemoBuilder` (demo/planner.py): each planned case with its history and entries."""

    def write_cases(self, rng: random.Random, specs: list[CaseSpec], staff: dict[int, dict]) -> None:
        specs.sort(key=lambda s: s.opened_on)  # stable: ties keep the planning order
        current = dict(
            Case.objects.filter(district=self.district)
            .values("year")
            .annotate(m=Max("sequence"))
            .values_list("year", "m")
        )
        for start in range(0, len(specs), CASE_CHUNK):
            self._write_chunk(rng, specs[start : start + CASE_CHUNK], staff, current)

    def _write_chunk(
        self, rng: random.Random, specs: list[CaseSpec], staff: dict[int, dict], current: dict
    ) -> None:
        today = self.today
        topic_weights = Weights({t: w for t, w in TOPIC_WEIGHTS.items() if t in self.topics})
        cases: list[NewCase] = []
        plans: list[CasePlan] = []
        for spec in specs:
            year = spec.opened_on.year
            current[year] = current.get(year, 0) + 1
            team = staff[spec.municipality.region_id]
            age = (today - spec.opened_on).days
            closed_on = closure_reason = None
            if spec.phase == Phase.CLOSED:
                closed_on = spec.closed_on or min(
                    today, spec.opened_on + dt.timedelta(days=int(rng.triangular(14, 540, 180)))
                )
                closed_on = max(closed_on, spec.opened_on)
            end = closed_on or today
            path, reached = self._path(rng, spec.phase, (end - spec.opened_on).days)
            if closed_on is not None:
                closure_reason = self._closure_reason(rng, reached)
            # When each step happened: the first on the opening day, a closure on the closing day.
            days = sorted(_rand_date(rng, spec.opened_on, end) for _ in path[1:])
            if closed_on is not None:
                days[-1] = closed_on
            moments = sorted(self._at(rng, d) for d in [spec.opened_on, *days])
            unassigned = spec.phase == Phase.INTAKE and age <= 10 and rng.random() < 0.3
            managers = team["case_managers"]
            manager = None if unassigned or not managers else self._pick_manager(rng, managers)
            handover = None
            if manager is not None and len(managers) > 1 and age > 90 and rng.random() < 0.06:
                successor = rng.choice([m for m in managers if m.pk != manager.pk])
                handover = (manager, successor, self._at(rng, _rand_date(rng, spec.opened_on, end)))
                manager = successor
            case = NewCase(
                reference=format_reference(self.district, year, current[year]),
                year=year,
                sequence=current[year],
                client=spec.client,
                household=spec.household,
                municipality=spec.municipality,
                case_manager=manager,
                phase=spec.phase,
                opened_on=spec.opened_on,
                closed_on=closed_on,
                closure_reason=closure_reason,
            )
            cases.append(case)
            focus = []
            for _ in range(rng.randint(1, 3)):
                name = topic_weights.pick(rng)
                if name not in focus:
                    focus.append(name)
            if (
                spec.residence_client is not None
                and "Aufenthalt" in self.topics
                and "Aufenthalt" not in focus
            ):
                focus.append("Aufenthalt")
            plans.append(
                CasePlan(
                    spec=spec,
                    case=case,
                    path=path,
                    reached=reached,
                    moments=moments,
                    end=end,
                    team=team,
                    handover=handover,
                    focus=focus,
                    opened_by=handover[0] if handover else (manager or team["coordinator"]),
                    # Entries are written by the case manager, or by Koordination while unassigned.
                    writer_id=(manager or team["coordinator"]).pk,
                )
            )
        ids = self._rows(Case, [case.row(self.district) for case in cases], "cases", returning=True)
        for case, pk in zip(cases, ids, strict=True):
            case.pk = pk
        self._bulk_m2m(
            Case.legal_frameworks,
            [
                (p.case.pk, self.frameworks[code].pk)
                for p in plans
                for code in sorted(p.spec.frameworks)
                if code in self.frameworks
            ],
        )
        Case.objects.filter(district=self.district).refresh_legal_framework_bits()
        self._write_history(rng, plans)
        self._write_consents_and_referrals(rng, plans)
        self._write_contacts(rng, plans)
        self._write_goals(rng, plans)
        self._write_follow_ups(rng, plans)

    def _write_history(self, rng: random.Random, plans: list[CasePlan]) -> None:
        changes, assignments = [], []
        for p in plans:
            case, path, moments = p.case, p.path, p.moments
            coordinator = p.team["coordinator"]
            previous = ""
            for step, (phase, moment) in enumerate(zip(path, moments, strict=True)):
                assert previous == "" or is_transition_allowed(previous, phase), (previous, phase)
                by = p.opened_by if step == 0 else (case.case_manager or coordinator)
                changes.append(
                    {
                        "case_id": case.pk,
                        "from_phase": previous,
                        "to_phase": phase,
                        "changed_at": moment,
                        "changed_by_id": by.pk,
                        "closure_reason_id": case.closure_reason_id if phase == Phase.CLOSED else None,
                        "note": "",
                    }
                )
                previous = phase
            first = p.handover[0] if p.handover else case.case_manager
            if first is not None:
                assignments.append(
                    {
                        "case_id": case.pk,
                        "from_manager_id": None,
                        "to_manager_id": first.pk,
                        "assigned_at": moments[0],
                        "assigned_by_id": coordinator.pk,
                        "note": "",
                    }
                )
            if p.handover:
                before, after, moment = p.handover
                assignments.append(
                    {
                        "case_id": case.pk,
                        "from_manager_id": before.pk,
                        "to_manager_id": after.pk,
                        "assigned_at": max(moment, moments[0]),
                        "assigned_by_id": coordinator.pk,
                        "note": "Übergabe wegen Zuständigkeitswechsel im Team.",
                    }
                )
        self._rows(PhaseChange, changes, "phase_changes")
        self._rows(CaseAssignment, assignments, "assignments")

    def _write_consents_and_referrals(self, rng: random.Random, plans: list[CasePlan]) -> None:
        consents: list[dict] = []
        consent_actors: list[list[Actor]] = []
        referrals: list[tuple[dict, int | None]] = []  # (row, index of its consent)
        withdrawn = self.closure_reasons.get("Mitwirkung beendet / Einwilligung widerrufen")
        for p in plans:
            case, end = p.case, p.end
            has_consent = rng.random() < 0.65
            wanted = _weighted(
                rng, {0: 70, 1: 25, 2: 5} if case.phase == Phase.INTAKE else {0: 30, 1: 45, 2: 25}
            )
            given_on = _rand_date(rng, case.opened_on, min(end, case.opened_on + dt.timedelta(days=14)))
            chosen: list[tuple[Actor, str]] = []
            for _ in range(wanted):
                topic = rng.choice(p.focus)
                actor = self._actor_for(rng, topic, case.municipality, authorities_only=not has_consent)
                if actor is not None and actor not in [a for a, _ in chosen]:
                    chosen.append((actor, topic))
            consent_index = None
            if has_consent:
                # Whoever receives data through a referral is named in the consent.
                actors = [a for a, _ in chosen]
                if not actors or rng.random() < 0.3:
                    extra = self._actor_for(
                        rng, rng.choice(p.focus), case.municipality, authorities_only=True
                    )
                    if extra is not None and extra not in actors:
                        actors.append(extra)
                withdrawn_on = None
                if withdrawn is not None and case.closure_reason_id == withdrawn.pk:
                    withdrawn_on = case.closed_on
                consent_index = len(consents)
                consents.append(
                    {
                        "case_id": case.pk,
                        "created_by_id": p.writer_id,
                        "purpose": CONSENT_PURPOSE,
                        "given_on": given_on,
                        "valid_until": given_on + dt.timedelta(days=730) if rng.random() < 0.8 else None,
                        "withdrawn_on": withdrawn_on,
                    }
                )
                consent_actors.append(actors)
            # A referral under a consent is made while the consent is valid (casework/consent.py).
            last_day = end
            if has_consent:
                consent = consents[consent_index]
                if consent["valid_until"]:
                    last_day = min(last_day, consent["valid_until"])
                if consent["withdrawn_on"]:
                    last_day = min(last_day, consent["withdrawn_on"] - dt.timedelta(days=1))
            for actor, topic in chosen:
                if last_day < (given_on if has_consent else case.opened_on):
                    break  # withdrawn on the day it was given: no referral under it
                referred_on = _rand_date(rng, given_on if has_consent else case.opened_on, last_day)
                waited = (self.today - referred_on).days
                if case.phase == Phase.CLOSED:
                    status = _weighted(rng, {"taken_up": 60, "declined": 15, "cancelled": 15, "referred": 10})
                elif waited < 21:
                    status = _weighted(rng, {"planned": 30, "referred": 70})
                else:
                    status = _weighted(
                        rng, {"taken_up": 55, "referred": 20, "declined": 12, "cancelled": 8, "planned": 5}
                    )
                people = self.contact_person_ids[actor.pk]
                row = {
                    "case_id": case.pk,
                    "created_by_id": p.writer_id,
                    "actor_id": actor.pk,
                    "contact_person_id": rng.choice(people) if people and rng.random() < 0.6 else None,
                    "topic_id": self.topics[topic].pk if topic in self.topics else None,
                    "referred_on": referred_on,
                    "status": status,
                    "outcome": rng.choice(REFERRAL_OUTCOMES[status]) if status in REFERRAL_OUTCOMES else "",
                    "legal_basis": "" if has_consent else STATUTORY_BASIS,
                }
                referrals.append((row, consent_index))
        consent_ids = self._rows(Consent, consents, "consents", returning=True)
        self._bulk_m2m(
            Consent.actors,
            [
                (pk, actor.pk)
                for pk, actors in zip(consent_ids, consent_actors, strict=True)
                for actor in actors
            ],
        )
        categories = []
        for pk in consent_ids:
            chosen_categories = self.data_categories[:2] + [
                c for c in self.data_categories[2:] if rng.random() < (0.1 if c.is_special_category else 0.4)
            ]
            categories += [(pk, c.pk) for c in chosen_categories]
        self._bulk_m2m(Consent.data_categories, categories)
        for row, index in referrals:
            row["consent_id"] = consent_ids[index] if index is not None else None
        self._rows(Referral, [row for row, _ in referrals], "referrals")

    def _write_contacts(self, rng: random.Random, plans: list[CasePlan]) -> None:
        contacts: list[dict] = []
        topics: list[list[int]] = []
        bounds = {
            Phase.INTAKE: (1, 2),
            Phase.ASSESSMENT: (1, 4),
            Phase.PLANNING: (2, 5),
            Phase.MONITORING: (3, 8),
            Phase.EVALUATION: (3, 8),
        }
        all_topics = list(self.topics)
        for p in plans:
            case = p.case
            low, high = bounds[p.reached]
            # A paused case saw no contacts after it was paused.
            last = p.moments[-1].date() if case.phase == Phase.PAUSED else p.end
            count = rng.randint(low, high)
            days = [case.opened_on] + sorted(
                _weekday(_rand_date(rng, case.opened_on, last), case.opened_on) for _ in range(count - 1)
            )
            for number, day in enumerate(days):
                channel = Channel.IN_PERSON if number == 0 else _weighted(rng, CHANNEL_WEIGHTS)
                names = [rng.choice(p.focus)]
                if rng.random() < 0.35:
                    other = rng.choice(all_topics)
                    if other not in names:
                        names.append(other)
                if number == 0:
                    note = FIRST_CONTACT_NOTE
                else:
                    sentence = rng.choice(CONTACT_NOTES.get(names[0], ("Anliegen besprochen.",)))
                    parts = (CHANNEL_OPENINGS[channel], sentence, rng.choice(CONTACT_CLOSINGS))
                    note = " ".join(part for part in parts if part)
                contacts.append(
                    {
                        "case_id": case.pk,
                        "created_by_id": p.writer_id,
                        "contacted_on": day,
                        "channel": channel,
                        "duration_minutes": rng.choice((15, 20, 30, 30, 45, 45, 60, 60, 75, 90, 120)),
                        "with_interpreter": p.spec.needs_interpreter
                        and channel not in (Channel.EMAIL, Channel.MESSENGER)
                        and rng.random() < 0.8,
                        "note": note,
                    }
                )
                topics.append([self.topics[n].pk for n in names])
        ids = self._rows(Contact, contacts, "contacts", returning=True)
        self._bulk_m2m(Contact.topics, [(pk, t) for pk, ts in zip(ids, topics, strict=True) for t in ts])

    def _goal_status(self, rng: random.Random, case: NewCase) -> str:
        if case.phase == Phase.PLANNING:
            return _weighted(rng, {"open": 70, "in_progress": 30})
        if case.phase == Phase.PAUSED:
            return _weighted(rng, {"open": 30, "in_progress": 50, "dropped": 20})
        if case.phase == Phase.EVALUATION:
            # The goal review is done: every goal has its result.
            return _weighted(rng, {"achieved": 45, "partly": 30, "not_achieved": 15, "dropped": 10})
        if case.phase == Phase.CLOSED:
            reason = case.closure_reason.name
            if reason == "Ziele erreicht":
                return _weighted(rng, {"achieved": 80, "partly": 20})
            if reason == "Ziele teilweise erreicht":
                return _weighted(rng, {"achieved": 30, "partly": 40, "not_achieved": 30})
            return _weighted(rng, {"achieved": 15, "partly": 15, "not_achieved": 35, "dropped": 35})
        return _weighted(rng, {"open": 10, "in_progress": 50, "achieved": 25, "partly": 10, "dropped": 5})

    def _write_goals(self, rng: random.Random, plans: list[CasePlan]) -> None:
        goals: list[dict] = []
        histories: list[list[tuple[str, str, dt.datetime]]] = []
        for p in plans:
            case = p.case
            if Phase.PLANNING not in p.path:
                continue  # goals are agreed in Hilfeplanung
            planned_at = p.moments[p.path.index(Phase.PLANNING)]
            used = set()
            for _ in range(_weighted(rng, {0: 10, 1: 35, 2: 35, 3: 20})):
                topic = rng.choice(p.focus)
                title, description = rng.choice(GOALS.get(topic, (("Situation stabilisieren", ""),)))
                if title in used:
                    continue
                used.add(title)
                status = self._goal_status(rng, case)
                goals.append(
                    {
                        "case_id": case.pk,
                        "created_by_id": p.writer_id,
                        "title": title,
                        "description": description,
                        "topic_id": self.topics[topic].pk if topic in self.topics else None,
                        "status": status,
                        "target_date": planned_at.date() + dt.timedelta(days=rng.randint(90, 365)),
                    }
                )
                steps = [""]
                if status != GoalStatus.OPEN:
                    steps.append(GoalStatus.OPEN)
                    if status != GoalStatus.IN_PROGRESS and (
                        status != GoalStatus.DROPPED or rng.random() < 0.5
                    ):
                        steps.append(GoalStatus.IN_PROGRESS)
                steps.append(status)
                days = sorted(_rand_date(rng, planned_at.date(), p.end) for _ in steps[2:])
                moments = [planned_at] + sorted(max(planned_at, self._at(rng, d)) for d in days)
                histories.append(list(zip(steps[:-1], steps[1:], moments, strict=True)))
        ids = self._rows(Goal, goals, "goals", returning=True)
        changes = [
            {
                "goal_id": pk,
                "from_status": before,
                "to_status": after,
                "changed_at": moment,
                "changed_by_id": goal["created_by_id"],
            }
            for pk, goal, history in zip(ids, goals, histories, strict=True)
            for before, after, moment in history
        ]
        self._rows(GoalStatusChange, changes, "goal_status_changes")

    def _write_follow_ups(self, rng: random.Random, plans: list[CasePlan]) -> None:
        follow_ups: list[dict] = []
        today = self.today
        for p in plans:
            case, spec = p.case, p.spec
            owner = case.case_manager or p.team["coordinator"]
            wanted: list[str] = []
            if case.phase != Phase.CLOSED:
                if case.case_manager is None:
                    wanted.append("Fall einer Case Managerin oder einem Case Manager zuweisen")
                resident = spec.residence_client
                if resident is not None and resident.residence_expires_within(
                    RESIDENCE_WARNING_DAYS, today=today
                ):
                    wanted.append(RESIDENCE_FOLLOW_UP)
                if case.phase == Phase.PAUSED:
                    wanted.append("Wiederaufnahme des Falls prüfen")
            count = _weighted(rng, {0: 30, 1: 45, 2: 25})
            while len(wanted) < count:
                title = rng.choice(FOLLOW_UP_TITLES)
                if title not in wanted:
                    wanted.append(title)
            for title in wanted[:2]:
                done_at = None
                if case.phase == Phase.CLOSED:
                    due = _rand_date(rng, case.opened_on, case.closed_on)
                    done_at = self._at(rng, due)
                elif title == RESIDENCE_FOLLOW_UP:
                    due = max(
                        case.opened_on, spec.residence_client.residence_valid_until - dt.timedelta(days=14)
                    )
                else:
                    kind = _weighted(rng, {"overdue": 25, "today": 12, "future": 45, "done": 18})
                    if kind == "overdue":
                        due = max(case.opened_on, today - dt.timedelta(days=rng.randint(1, 30)))
                    elif kind == "today":
                        due = today
                    elif kind == "future":
                        due = today + dt.timedelta(days=rng.randint(1, 45))
                    else:
                        due = _rand_date(rng, case.opened_on, today)
                        done_at = self._at(rng, due)
                follow_ups.append(
                    {
                        "case_id": case.pk,
                        "district_id": self.district.pk,
                        "created_by_id": p.writer_id,
                        "title": title,
                        "due_on": due,
                        "assigned_to_id": owner.pk,
                        "done_at": done_at,
                        "done_by_id": owner.pk if done_at else None,
                    }
                )
        self._rows(FollowUp, follow_ups, "follow_ups")
