"""The case management lifecycle: phases and the transitions allowed between them.

This module is the one place that says how a case may move. Services call
`check_transition`; forms ask `allowed_transitions` which phases to offer.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    INTAKE = "intake", _("Erstkontakt / Zugang")
    ASSESSMENT = "assessment", _("Clearing / Situationsanalyse")
    PLANNING = "planning", _("Hilfeplanung / Zielvereinbarung")
    MONITORING = "monitoring", _("Umsetzung / Monitoring")
    EVALUATION = "evaluation", _("Evaluation / Zielüberprüfung")
    CLOSED = "closed", _("Abschluss")
    PAUSED = "paused", _("Pausiert")


ACTIVE_PHASES = (Phase.INTAKE, Phase.ASSESSMENT, Phase.PLANNING, Phase.MONITORING, Phase.EVALUATION)
OPEN_PHASES = (*ACTIVE_PHASES, Phase.PAUSED)

# Forward one step at a time, back one step from planning, monitoring or evaluation (the
# plan is revised, or the review shows more work to do), pause from anywhere open, close
# from anywhere open (a case may end early: the person moves away or breaks off; the close
# form then asks for each goal's result). The DGCC cycle's regular end is Umsetzung ->
# Evaluation (goals reviewed, outcome for the person recorded) -> Abschluss. A paused case
# resumes in any working phase; a closed case is re-opened into Clearing, because
# whoever returns needs a fresh look at their situation.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Phase.INTAKE: frozenset({Phase.ASSESSMENT, Phase.PAUSED, Phase.CLOSED}),
    Phase.ASSESSMENT: frozenset({Phase.PLANNING, Phase.PAUSED, Phase.CLOSED}),
    Phase.PLANNING: frozenset({Phase.MONITORING, Phase.ASSESSMENT, Phase.PAUSED, Phase.CLOSED}),
    Phase.MONITORING: frozenset({Phase.PLANNING, Phase.EVALUATION, Phase.PAUSED, Phase.CLOSED}),
    Phase.EVALUATION: frozenset({Phase.MONITORING, Phase.PAUSED, Phase.CLOSED}),
    Phase.PAUSED: frozenset({*ACTIVE_PHASES, Phase.CLOSED}),
    Phase.CLOSED: frozenset({Phase.ASSESSMENT}),
}

TRANSITION_NOT_ALLOWED = _("Ein Wechsel von „%(from)s“ nach „%(to)s“ ist nicht möglich.")
SAME_PHASE = _("Der Fall ist bereits in der Phase „%(phase)s“.")
CLOSING_NEEDS_REASON = _("Zum Abschließen eines Falls ist ein Abschlussgrund anzugeben.")
CLOSING_NEEDS_DATE = _("Zum Abschließen eines Falls ist ein Abschlussdatum anzugeben.")
CLOSED_BEFORE_OPENED = _("Das Abschlussdatum darf nicht vor dem Eröffnungsdatum liegen.")
CLOSED_IN_FUTURE = _("Das Abschlussdatum darf nicht in der Zukunft liegen.")
CLOSED_BEFORE_LAST_ENTRY = _(
    "Das Abschlussdatum darf nicht vor dem letzten Kontakt oder der letzten Vermittlung (%(date)s) liegen."
)
EVALUATION_NEEDS_OUTCOME = _("Bitte halten Sie das Ergebnis für die Person fest.")
GOAL_NEEDS_RESULT = _("Bitte geben Sie für das Ziel „%(goal)s“ ein Ergebnis an.")
FOLLOW_UP_NEEDS_DECISION = _(
    "Bitte entscheiden Sie, was aus der offenen Wiedervorlage „%(title)s“ wird "
    "(erledigt, entfällt oder an eine Person übergeben)."
)
CASE_IS_CLOSED = _(
    "Der Fall ist abgeschlossen und nimmt keine neuen Einträge an. Nehmen Sie ihn zuerst wieder auf."
)


def allowed_transitions(phase: str) -> list[Phase]:
    """The phases a case in `phase` may move to, in lifecycle order."""
    targets = ALLOWED_TRANSITIONS[phase]
    return [p for p in Phase if p in targets]


def is_transition_allowed(from_phase: str, to_phase: str) -> bool:
    return to_phase in ALLOWED_TRANSITIONS.get(from_phase, frozenset())


def check_transition(from_phase: str, to_phase: str) -> None:
    if from_phase == to_phase:
        raise ValidationError({"to_phase": SAME_PHASE % {"phase": Phase(from_phase).label}})
    if not is_transition_allowed(from_phase, to_phase):
        raise ValidationError(
            {
                "to_phase": TRANSITION_NOT_ALLOWED
                % {"from": Phase(from_phase).label, "to": Phase(to_phase).label}
            }
        )
