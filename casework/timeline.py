"""A case's timeline: contacts, referrals, goal changes, phase changes, handovers and documents,
newest first, each line's text put together once here instead of by template tags per row.

The case page is the page case managers open most, and the timeline was its costliest part:
through the ORM its four reads cost ~6 ms of Python per page (building and compiling the
querysets), against ~0.3 ms for the same statements run directly. So the timeline reads with
four plain SQL statements: each names the columns it prints, and only a case's own rows
(`case_id = %s`, parameters only), newest first. tests/casework/test_case_timeline.py runs
them on PostgreSQL (CI) and SQLite, so a renamed table or column fails there, not in use.
"""

import datetime as dt
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from kim.links import UrlForPks
from kim.sql import fetch_all

from .models import Contact, GoalStatusChange, PhaseChange, Referral, ReferralStatus, ReferralStatusChange
from .names import person_name


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a case's timeline, with its text ready to print (the template escapes it):

    "<date> · <label> – <text><a href=link_url>link_text</a><after> <muted>", then the note
    and who wrote it.
    """

    on: dt.date
    at: dt.datetime | None
    kind: str
    label: str
    pk: int
    text: str = ""
    link_url: str = ""
    link_text: str = ""
    after: str = ""
    muted: str = ""
    note: str = ""
    by: str = ""

    @property
    def on_text(self) -> str:
        # The `date` filter costs more than the rest of a line.
        return f"{self.on:%d.%m.%Y}"


# Each kind newest first, equal moments in the order the rows were written.
CONTACTS_SQL = """
    SELECT c.id, c.contacted_on, c.created_at, c.channel, c.duration_minutes, c.with_interpreter, c.note,
           author.first_name, author.last_name, author.username
    FROM casework_contact c
    LEFT JOIN accounts_user author ON author.id = c.created_by_id
    WHERE c.case_id = %s
    ORDER BY c.contacted_on DESC, c.created_at DESC, c.id DESC
"""

CONTACT_TOPICS_SQL = """
    SELECT link.contact_id, topic.name
    FROM casework_contact_topics link
    JOIN casework_topic topic ON topic.id = link.topic_id
    WHERE link.contact_id IN ({ids})
    ORDER BY topic.sort_order, topic.name
"""

REFERRALS_SQL = """
    SELECT r.id, r.referred_on, r.created_at, r.actor_id, actor.name, person.name, r.status, topic.name,
           r.consent_id, r.legal_basis, r.outcome
    FROM casework_referral r
    JOIN casework_actor actor ON actor.id = r.actor_id
    LEFT JOIN casework_contactperson person ON person.id = r.contact_person_id
    LEFT JOIN casework_topic topic ON topic.id = r.topic_id
    WHERE r.case_id = %s
    ORDER BY r.referred_on DESC, r.created_at DESC, r.id DESC
"""

# The five small kinds (a handful of rows per case each) in one statement: one round trip
# instead of five. Columns: kind, rank, id, moment, title (goal title, closure reason,
# document title, the referral's actor), from/to value, note, size, a person (who changed the
# phase or recorded a referral's Rückmeldung; handed over from), another person (handed over
# to), the day a Rückmeldung came (entered, may differ from when it was recorded) and the
# outcome for the person (evaluation, closing). Equal moments keep the rank's order.
CASE_EVENTS_SQL = """
    SELECT 'goal', 1, change.id, change.changed_at, goal.title, change.from_status, change.to_status,
           NULL, CAST(NULL AS integer), NULL, NULL, NULL, NULL, NULL, NULL, CAST(NULL AS date), NULL
    FROM casework_goalstatuschange change
    JOIN casework_goal goal ON goal.id = change.goal_id
    WHERE goal.case_id = %s
    UNION ALL
    SELECT 'phase', 2, change.id, change.changed_at, reason.name, change.from_phase, change.to_phase,
           change.note, CAST(NULL AS integer), author.first_name, author.last_name, author.username,
           NULL, NULL, NULL, CAST(NULL AS date), change.outcome
    FROM casework_phasechange change
    LEFT JOIN casework_closurereason reason ON reason.id = change.closure_reason_id
    LEFT JOIN accounts_user author ON author.id = change.changed_by_id
    WHERE change.case_id = %s
    UNION ALL
    SELECT 'handover', 3, handover.id, handover.assigned_at, NULL, NULL, NULL, handover.note,
           CAST(NULL AS integer), from_user.first_name, from_user.last_name, from_user.username,
           to_user.first_name, to_user.last_name, to_user.username, CAST(NULL AS date), NULL
    FROM casework_caseassignment handover
    LEFT JOIN accounts_user from_user ON from_user.id = handover.from_manager_id
    LEFT JOIN accounts_user to_user ON to_user.id = handover.to_manager_id
    WHERE handover.case_id = %s
    UNION ALL
    SELECT 'document', 4, document.id, document.created_at, document.title, NULL, NULL, NULL,
           document.size, NULL, NULL, NULL, NULL, NULL, NULL, CAST(NULL AS date), NULL
    FROM casework_document document
    WHERE document.case_id = %s
    UNION ALL
    SELECT 'referral_status', 5, change.id, change.changed_at, actor.name, change.from_status,
           change.to_status, change.note, CAST(NULL AS integer), author.first_name, author.last_name,
           author.username, NULL, NULL, NULL, change.changed_on, NULL
    FROM casework_referralstatuschange change
    JOIN casework_referral referral ON referral.id = change.referral_id
    JOIN casework_actor actor ON actor.id = referral.actor_id
    LEFT JOIN accounts_user author ON author.id = change.changed_by_id
    WHERE referral.case_id = %s
    ORDER BY 4 DESC, 2, 3
"""


def _read(sql: str, params: list, limit: int | None) -> list[tuple]:
    if limit is not None:
        sql, params = f"{sql} LIMIT %s", [*params, limit]
    return fetch_all(sql, params)


def as_date(value) -> dt.date:
    """A date from plain SQL: SQLite hands back text where a column's declared type is lost
    (a UNION, an expression); PostgreSQL and SQLite's plain columns give dates."""
    return value if isinstance(value, dt.date) else parse_date(value)


def _moment(value) -> dt.datetime:
    """An aware moment: PostgreSQL gives one; SQLite gives UTC without a zone, sometimes as text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def choice_labels(model, field: str) -> dict:
    """value -> label of a choice field: `get_FOO_display()` rebuilds this on every call."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def case_timeline(case, *, limit: int | None = None) -> list[TimelineEntry]:
    """The case's entries of every kind, newest first (by day, then moment).

    With `limit`, only the newest `limit` entries: each kind is read newest first and cut at
    `limit`, so a case with years of contacts costs no more than a new one.
    """
    entries = [*_contacts(case, limit), *_referrals(case, limit), *_case_events(case, limit)]
    now = timezone.now()
    # Stable: equal keys keep the order above (contacts, referrals, then the events' ranks).
    entries.sort(key=lambda e: (e.on, e.at or now), reverse=True)
    return entries if limit is None else entries[:limit]


def _contacts(case, limit: int | None) -> list[TimelineEntry]:
    rows = _read(CONTACTS_SQL, [case.pk], limit)
    topics: dict[int, list[str]] = {}
    if rows:
        ids = [row[0] for row in rows]
        sql = CONTACT_TOPICS_SQL.format(ids=", ".join(["%s"] * len(ids)))
        for contact_id, name in _read(sql, ids, None):
            topics.setdefault(contact_id, []).append(name)
    channels = choice_labels(Contact, "channel")
    minutes, interpreted = str(_("Min.")), str(_("mit Dolmetschung"))
    label = str(_("Kontakt"))
    entries = []
    for pk, on, at, channel, duration, with_interpreter, note, *author in rows:
        text = f"{channels.get(channel, channel)}, {duration} {minutes}"
        names = ", ".join(topics.get(pk, ()))
        entries.append(
            TimelineEntry(
                as_date(on),
                _moment(at),
                "contact",
                label,
                pk,
                text=f"{text}, {interpreted}" if with_interpreter else text,
                muted=f"({names})" if names else "",
                note=note,
                by=person_name(*author),
            )
        )
    return entries


def _referrals(case, limit: int | None) -> list[TimelineEntry]:
    statuses = choice_labels(Referral, "status")
    basis_consent, basis_law = str(_("mit Einwilligung")), str(_("Rechtsgrundlage:"))
    basis_planned, basis_none = str(_("noch keine Datenweitergabe")), str(_("ohne dokumentierte Grundlage"))
    actor_url = UrlForPks("network:detail")
    label = str(_("Vermittlung"))
    entries = []
    for row in _read(REFERRALS_SQL, [case.pk], limit):
        pk, on, at, actor_id, actor, person, status, topic, consent_id, legal_basis, outcome = row
        after = f" ({person})" if person else ""
        after += f": {statuses.get(status, status)}"
        if topic:
            after += f" · {topic}"
        if consent_id:
            basis = basis_consent
        elif legal_basis:
            basis = f"{basis_law} {legal_basis}"
        elif status == ReferralStatus.PLANNED:
            basis = basis_planned
        else:
            basis = basis_none
        entries.append(
            TimelineEntry(
                as_date(on),
                _moment(at),
                "referral",
                label,
                pk,
                link_url=actor_url(actor_id),
                link_text=actor,
                after=after,
                muted=f"· {basis}",
                note=outcome,
            )
        )
    return entries


def _case_events(case, limit: int | None) -> list[TimelineEntry]:
    """Goal changes, phase changes, handovers and documents, from one statement."""
    goal_statuses = choice_labels(GoalStatusChange, "to_status")
    phases = choice_labels(PhaseChange, "to_phase")
    agreed, opened = str(_("vereinbart,")), str(_("Fall eröffnet:"))
    unassigned = str(_("nicht zugewiesen"))
    labels = {
        "goal": str(_("Ziel")),
        "phase": str(_("Phasenwechsel")),
        "handover": str(_("Zuständigkeit")),
        "document": str(_("Dokument")),
        "referral_status": str(_("Rückmeldung")),
    }
    referral_statuses = choice_labels(ReferralStatusChange, "to_status")
    outcomes = choice_labels(PhaseChange, "outcome")
    outcome_label = str(_("Ergebnis für die Person:"))
    document_url = UrlForPks("cases:document", 2)
    entries = []
    for row in _read(CASE_EVENTS_SQL, [case.pk] * 5, limit):
        kind, _rank, pk, at, title, before, after, note, size, *people, day, outcome = row
        at = _moment(at)
        on, label = (as_date(day) if day else _local_date(at)), labels[kind]
        if kind == "goal":
            before = f"{goal_statuses.get(before, before)} →" if before else agreed
            entries.append(
                TimelineEntry(
                    on, at, kind, label, pk, text=f"„{title}“: {before} {goal_statuses.get(after, '')}"
                )
            )
        elif kind == "phase":
            text = f"{phases.get(before, before)} →" if before else opened
            text += f" {phases.get(after, after)}"
            if title:
                text += f" ({title})"
            if outcome:
                text += f" · {outcome_label} {outcomes.get(outcome, outcome)}"
            entries.append(
                TimelineEntry(on, at, kind, label, pk, text=text, note=note, by=person_name(*people[:3]))
            )
        elif kind == "referral_status":
            text = f"{title}: {referral_statuses.get(before, before)} → {referral_statuses.get(after, after)}"
            entries.append(
                TimelineEntry(on, at, kind, label, pk, text=text, note=note, by=person_name(*people[:3]))
            )
        elif kind == "handover":
            from_manager, to_manager = person_name(*people[:3]), person_name(*people[3:])
            text = f"{from_manager} → " if from_manager else ""
            text += to_manager or unassigned
            if note:
                text += f": {note}"
            entries.append(TimelineEntry(on, at, kind, label, pk, text=text))
        else:
            entries.append(
                TimelineEntry(
                    on,
                    at,
                    kind,
                    label,
                    pk,
                    link_url=document_url(case.pk, pk),
                    link_text=title,
                    muted=f"({filesizeformat(size)})",
                )
            )
    return entries
