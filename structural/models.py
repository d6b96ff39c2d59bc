"""From single cases to structural change.

A case manager tags a structural barrier met in a case (which actor, which legal framework,
which topic, a short description without personal data). Koordination gathers barriers of
the whole district into themes and carries each theme up the escalation steps of the
district's five-step model, recording what each body decided. Case conferences are recorded
against the case they discussed.

The waiting list of the capacity page has no model of its own: a person who asked for case
management and has not been taken on yet is a case in Erstkontakt / Zugang without a case
manager (see selectors.waiting_list). A second list would only drift from the cases.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kim.models import DESCRIPTION_MAX_LENGTH, NOTE_MAX_LENGTH, TimeStampedModel, text_limit

BARRIER_DESCRIPTION_MAX_LENGTH = 500
BARRIER_WITHOUT_DETAILS = _(
    "Bitte nennen Sie mindestens einen Akteur, einen Rechtskreis, ein Handlungsfeld oder eine Beschreibung."
)
THEME_OF_OTHER_DISTRICT = _("Das Thema gehört zu einem anderen Kreis als der Fall.")
DECISION_IN_FUTURE = _("Das Datum darf nicht in der Zukunft liegen.")


class EscalationStep(models.TextChoices):
    """The steps a theme is raised through, from the team up to the Steuerungsgruppe."""

    TEAM = "team", _("im Team festgehalten")
    REGION = "region", _("in der Teilregion besprochen")
    COORDINATION_GROUP = "coordination_group", _("in der Koordinierungsgruppe")
    STEERING_GROUP = "steering_group", _("in der Steuerungsgruppe")
    RESOLVED = "resolved", _("gelöst")


OPEN_STEPS = (
    EscalationStep.TEAM,
    EscalationStep.REGION,
    EscalationStep.COORDINATION_GROUP,
    EscalationStep.STEERING_GROUP,
)


class Theme(TimeStampedModel):
    """A generative theme: barriers of many cases that point to one gap in the support system."""

    district = models.ForeignKey(
        "regions.District", on_delete=models.PROTECT, related_name="themes", verbose_name=_("Kreis")
    )
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(
        _("Beschreibung"),
        blank=True,
        help_text=_("Was fehlt oder hakt im Hilfesystem? Ohne personenbezogene Daten."),
        **text_limit(DESCRIPTION_MAX_LENGTH),
    )
    status = models.CharField(
        _("Stufe"), max_length=20, choices=EscalationStep.choices, default=EscalationStep.TEAM
    )

    class Meta:
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "title"], name="theme_unique_title_per_district")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != EscalationStep.RESOLVED


class ThemeDecision(models.Model):
    """One line of a theme's decision log: which body decided what, on which day."""

    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("Thema")
    )
    step = models.CharField(_("Gremium / Stufe"), max_length=20, choices=EscalationStep.choices)
    decided_on = models.DateField(_("am"), default=timezone.localdate)
    text = models.TextField(_("Beschluss / Ergebnis"), blank=True, **text_limit(NOTE_MAX_LENGTH))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erfasst von"),
    )
    recorded_at = models.DateTimeField(_("erfasst am"), default=timezone.now)

    class Meta:
        verbose_name = _("Beschluss zu einem Thema")
        verbose_name_plural = _("Beschlüsse zu Themen")
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.decided_on:%d.%m.%Y} {self.get_step_display()}"

    def clean(self) -> None:
        super().clean()
        if self.decided_on and self.decided_on > timezone.localdate():
            raise ValidationError({"decided_on": DECISION_IN_FUTURE})


class BarrierQuerySet(models.QuerySet):
    def visible_to(self, user):
        from accounts.roles import restrict_barriers

        return restrict_barriers(self, user)


class Barrier(TimeStampedModel):
    """A structural barrier a case manager met in one case. Holds no personal data by design."""

    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="barriers", verbose_name=_("Fall")
    )
    actor = models.ForeignKey(
        "casework.Actor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="barriers",
        verbose_name=_("Akteur / Behörde"),
    )
    legal_framework = models.ForeignKey(
        "casework.LegalFramework",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="barriers",
        verbose_name=_("Rechtskreis"),
    )
    topic = models.ForeignKey(
        "casework.Topic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="barriers",
        verbose_name=_("Handlungsfeld"),
    )
    description = models.CharField(
        _("Beschreibung"),
        max_length=BARRIER_DESCRIPTION_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Kurz und ohne personenbezogene Daten: keine Namen, keine Daten, keine Einzelheiten zur "
            "Person. Beschreiben Sie, was im Hilfesystem fehlt oder hakt."
        ),
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="barriers",
        verbose_name=_("Thema"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erfasst von"),
        editable=False,
    )

    objects = BarrierQuerySet.as_manager()

    class Meta:
        verbose_name = _("strukturelle Barriere")
        verbose_name_plural = _("strukturelle Barrieren")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["theme", "created_at"], name="barrier_theme_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor__isnull=False)
                | Q(legal_framework__isnull=False)
                | Q(topic__isnull=False)
                | ~Q(description=""),
                name="barrier_has_some_detail",
            )
        ]

    def __str__(self) -> str:
        return self.label or self.description[:60]

    @property
    def label(self) -> str:
        """Actor, legal framework and topic: the catalogue values, never the free text."""
        return " · ".join(str(p) for p in (self.actor, self.legal_framework, self.topic) if p is not None)

    def clean(self) -> None:
        super().clean()
        if not (self.actor_id or self.legal_framework_id or self.topic_id or self.description.strip()):
            raise ValidationError(BARRIER_WITHOUT_DETAILS)
        if self.theme_id and self.case_id and self.theme.district_id != self.case.district_id:
            raise ValidationError({"theme": THEME_OF_OTHER_DISTRICT})


class CaseConference(TimeStampedModel):
    """A Fallkonferenz or kollegiale Fallberatung about one case."""

    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="conferences", verbose_name=_("Fall")
    )
    held_on = models.DateField(_("am"), default=timezone.localdate)
    participants = models.TextField(
        _("Teilnehmende"),
        help_text=_("Namen oder Funktionen, z. B. „Team Nord, Jobcenter (Frau M.)“."),
        **text_limit(DESCRIPTION_MAX_LENGTH),
    )
    decisions = models.TextField(_("Ergebnisse und Absprachen"), blank=True, **text_limit(NOTE_MAX_LENGTH))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erfasst von"),
        editable=False,
    )

    class Meta:
        verbose_name = _("Fallkonferenz")
        verbose_name_plural = _("Fallkonferenzen")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%d.%m.%Y}" if self.held_on else ""

    def clean(self) -> None:
        super().clean()
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": DECISION_IN_FUTURE})
