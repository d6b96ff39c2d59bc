"""Forms inside a case. They validate input; the services apply the rules."""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import region_ids
from casework.concurrency import add_version_fields
from casework.consent import LEGAL_BASIS_EXAMPLE, valid_consents
from casework.forms.choices import choices_from_rows
from casework.lifecycle import Phase, allowed_transitions
from casework.models import (
    Actor,
    Case,
    ClientOutcome,
    ClosureReason,
    Consent,
    Contact,
    ContactPerson,
    DataCategory,
    FollowUp,
    Goal,
    GoalStatus,
    Referral,
    ReferralStatus,
    Topic,
)
from casework.selectors import case_label, case_subject_name, staff_for_cases
from casework.services import (
    FOLLOW_UP_DONE,
    FOLLOW_UP_DROPPED,
    GOAL_RESULTS,
    open_follow_ups_of,
    referral_next_statuses,
    unreviewed_goals_of,
)
from casework.submit_once import add_submit_token
from casework.uploads import check_document_name, detect_document_kind
from kim.widgets import FastCheckboxSelectMultiple, FastSelect

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILE_TOO_LARGE = _("Die Datei ist zu groß (höchstens %(mb)s MB).")


def active_topics():
    return Topic.objects.filter(is_active=True)


def district_actors(case):
    """The actors a case's referrals and consents may name: the active ones of its district."""
    return Actor.objects.filter(is_active=True, district=case.district_id)


ACTOR_ROW = ("name", "actor_type__name")


def district_actor_rows(case) -> list[tuple]:
    """(pk, name, type) of `district_actors(case)`, read once per request for the referral
    and the consent form alike (kept on the case object, which lives as long as the request)."""
    if not hasattr(case, "_kim_actor_rows"):
        case._kim_actor_rows = list(district_actors(case).values_list("pk", *ACTOR_ROW))
    return case._kim_actor_rows


def grouped_actor_choices(case, label: Callable[[str, str], str]) -> list[tuple[str, list]]:
    """The district's actors grouped by type, those serving the case's sub-region first: a
    list of 47 checkboxes or a select of hundreds becomes one a person can scan (and
    static/js/kim.js adds a search box). Only the display is grouped; the field's queryset
    still decides what is valid."""
    rows = district_actor_rows(case)
    region_id = case.municipality.region_id
    own = set(
        district_actors(case)
        .filter(municipalities__region_id=region_id)
        .values_list("pk", flat=True)
        .distinct()
    )
    groups: dict[tuple[int, str], list] = {}
    for pk, name, kind in rows:
        groups.setdefault((0 if pk in own else 1, kind), []).append((pk, label(name, kind)))
    return [
        (
            _("%(type)s – in der Teilregion des Falls") % {"type": kind} if rank == 0 else kind,
            choices,
        )
        for (rank, kind), choices in sorted(groups.items())
    ]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["contacted_on", "channel", "duration_minutes", "topics", "with_interpreter", "note"]
        widgets = {
            "contacted_on": DATE_INPUT,
            "channel": FastSelect,
            "topics": FastCheckboxSelectMultiple,
            "note": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = active_topics()
        self.fields["contacted_on"].initial = timezone.localdate
        add_submit_token(self)


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "topic", "target_date", "description"]
        widgets = {
            "topic": FastSelect,
            "target_date": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = active_topics()
        add_submit_token(self)


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices, widget=FastSelect)
    # The goal's version when the page was loaded (casework/concurrency.py).
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = [
            "actor",
            "contact_person",
            "topic",
            "referred_on",
            "status",
            "outcome",
            "consent",
            "data_categories",
            "legal_basis",
        ]
        # The district's actors and their contact persons run into the thousands: FastSelect.
        widgets = {
            "actor": FastSelect,
            "contact_person": FastSelect,
            "topic": FastSelect,
            "status": FastSelect,
            "consent": FastSelect,
            "data_categories": FastCheckboxSelectMultiple,
            "referred_on": DATE_INPUT,
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        actors = district_actors(case)
        self.fields["actor"].queryset = actors
        self.fields["actor"].choices = [
            ("", self.fields["actor"].empty_label),
            *grouped_actor_choices(case, lambda name, kind: f"{name} ({kind})"),
        ]
        self.fields["actor"].widget.attrs["data-filterable"] = _("Akteur suchen")
        self.fields["contact_person"].queryset = ContactPerson.objects.filter(
            is_active=True, actor__in=actors.values("pk")
        )
        # As ContactPerson.__str__: "Name (Stelle)"; each option knows its actor, so the
        # script offers only the chosen actor's contact persons.
        people = list(
            self.fields["contact_person"].queryset.values_list("pk", "name", "actor__name", "actor_id")
        )
        self.fields["contact_person"].choices = [
            ("", self.fields["contact_person"].empty_label),
            *((pk, f"{name} ({actor})") for pk, name, actor, _actor_id in people),
        ]
        self.fields["contact_person"].widget.option_attrs = {
            str(pk): {"data-actor": actor_id} for pk, _name, _actor, actor_id in people
        }
        self.fields["contact_person"].widget.attrs["data-narrowed-by"] = self.add_prefix("actor")
        self.fields["topic"].queryset = active_topics()
        # Only consents valid today are offered; whether the chosen one names the actor is
        # checked by the rule in casework/consent.py, with the error shown at this field.
        consent = self.fields["consent"]
        consent.queryset = valid_consents(case).prefetch_related("actors").order_by("-given_on", "-pk")
        consent.label_from_instance = consent_choice_label
        consent.empty_label = _("– keine Einwilligung: Rechtsgrundlage angeben –")
        consent.help_text = _("Einwilligung, die diese Stelle abdeckt – oder eine Rechtsgrundlage angeben.")
        self.fields["data_categories"].queryset = DataCategory.objects.filter(is_active=True)
        self.fields["data_categories"].help_text = _(
            "Welche Daten gehen an die Stelle? Die gewählte Einwilligung muss jede dieser Kategorien nennen."
        )
        self.fields["legal_basis"].help_text = _(
            "Nur ohne passende Einwilligung: die Vorschrift, die die Übermittlung erlaubt, und der Zweck, "
            "z. B. „%(example)s“."
        ) % {"example": LEGAL_BASIS_EXAMPLE}
        self.fields["status"].help_text = _(
            "„geplant“: Es wurden noch keine Daten weitergegeben – dafür ist noch keine Einwilligung nötig."
        )
        add_submit_token(self)


def consent_choice_label(consent: Consent) -> str:
    """Purpose, validity and receiving bodies, so the right consent is easy to pick."""
    purpose = consent.purpose if len(consent.purpose) <= 60 else consent.purpose[:59] + "…"
    until = (
        _("gültig bis %(date)s") % {"date": f"{consent.valid_until:%d.%m.%Y}"}
        if consent.valid_until
        else _("unbefristet")
    )
    actors = ", ".join(a.name for a in consent.actors.all()) or _("keine Stelle genannt")
    return _("%(purpose)s (%(until)s) – für: %(actors)s") % {
        "purpose": purpose,
        "until": until,
        "actors": actors,
    }


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["title", "due_on"]
        widgets = {"due_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_submit_token(self)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    file = forms.FileField(label=_("Datei"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_submit_token(self)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.DOCUMENT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(FILE_TOO_LARGE % {"mb": settings.DOCUMENT_MAX_UPLOAD_BYTES // 2**20})
        check_document_name(upload.name)
        # The content decides, not the name or the browser's Content-Type (casework/uploads.py).
        detect_document_kind(upload)
        return upload


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["purpose", "actors", "data_categories", "given_on", "valid_until"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "given_on": DATE_INPUT,
            "valid_until": DATE_INPUT,
            "actors": FastCheckboxSelectMultiple,
            "data_categories": FastCheckboxSelectMultiple,
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actors"].queryset = district_actors(case)
        self.fields["actors"].choices = grouped_actor_choices(case, lambda name, kind: name)
        self.fields["actors"].widget.filter_label = _("Stelle suchen")
        self.fields["data_categories"].queryset = DataCategory.objects.filter(is_active=True)
        self.fields["given_on"].initial = timezone.localdate
        self.fields["actors"].help_text = _(
            "Nur an die hier genannten Stellen dürfen Daten auf Grund dieser Einwilligung gehen."
        )
        self.fields["valid_until"].help_text = _("Leer lassen, wenn die Einwilligung bis zum Widerruf gilt.")
        add_submit_token(self)


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label=_("widerrufen am"),
        widget=DATE_INPUT,
        help_text=_(
            "Ab diesem Tag dürfen keine Daten mehr auf Grund dieser Einwilligung weitergegeben werden."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate


# What the phase change and handover forms compare after a concurrent edit of the case.
CASE_VERSION_FIELDS = ("phase", "closed_on", "closure_reason", "case_manager")


class ReferralOutcomeForm(forms.Form):
    """The Rückmeldung of a referral (or its next step): which referral, the new status, the
    day and the outcome. The versions of the referrals offered travel signed with the form,
    so a status someone else recorded meanwhile is not overwritten (casework/concurrency.py)."""

    referral = forms.TypedChoiceField(label=_("Vermittlung"), coerce=int, widget=FastSelect)
    status = forms.ChoiceField(label=_("neuer Status"), widget=FastSelect)
    changed_on = forms.DateField(label=_("Datum der Rückmeldung"), widget=DATE_INPUT)
    note = forms.CharField(
        label=_("Ergebnis / Bemerkung"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    versions = forms.CharField(widget=forms.HiddenInput, required=False)

    _SALT = "casework.referral_outcome.versions"

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = dict(ReferralStatus.choices)
        open_statuses = [status for status in ReferralStatus if referral_next_statuses(status)]
        rows = list(
            Referral.objects.filter(case=case, status__in=open_statuses)
            .order_by("-referred_on", "-pk")
            .values_list("pk", "actor__name", "referred_on", "status", "version")
        )
        self.fields["referral"].choices = [("", _("– Vermittlung wählen –"))] + [
            (pk, f"{actor} ({_('vermittelt am')} {on:%d.%m.%Y}, {statuses[status]})")
            for pk, actor, on, status, _version in rows
        ]
        self.fields["status"].choices = [("", _("– Status wählen –"))] + [
            (value, label) for value, label in ReferralStatus.choices if value != ReferralStatus.PLANNED
        ]
        self.fields["status"].help_text = _(
            "angenommen, abgelehnt, abgebrochen oder abgeschlossen: "
            "die Rückmeldung der Stelle oder der Person."
        )
        self.fields["changed_on"].initial = timezone.localdate
        self.fields["versions"].initial = signing.dumps(
            {str(pk): version for pk, *_rest, version in rows}, salt=self._SALT
        )
        self.has_referrals = bool(rows)
        add_submit_token(self)

    def expected_version(self) -> int | None:
        try:
            versions = signing.loads(self.cleaned_data.get("versions") or "", salt=self._SALT)
        except signing.BadSignature:
            return None
        return versions.get(str(self.cleaned_data["referral"]))


FOLLOW_UP_DECISION_PREFIX = "follow_up_"
GOAL_RESULT_PREFIX = "goal_"
HAND_TO = "to:"


class PhaseChangeForm(forms.Form):
    to_phase = forms.ChoiceField(label=_("neue Phase"), widget=FastSelect)
    closed_on = forms.DateField(
        label=_("Abschlussdatum"), required=False, widget=DATE_INPUT, help_text=_("Nur beim Abschluss.")
    )
    closure_reason = forms.ModelChoiceField(
        label=_("Abschlussgrund"),
        queryset=ClosureReason.objects.filter(is_active=True),
        required=False,
        widget=FastSelect,
        help_text=_("Nur beim Abschluss."),
    )
    note = forms.CharField(
        label=_("Bemerkung"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    outcome = forms.ChoiceField(
        label=_("Ergebnis für die Person"),
        required=False,
        widget=FastSelect,
        help_text=_("Bei Evaluation und Abschluss: Wie hat sich die Lage der Person entwickelt?"),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        targets = allowed_transitions(case.phase)
        self.fields["to_phase"].choices = [(p.value, p.label) for p in targets]
        self.fields["closed_on"].initial = timezone.localdate
        self.fields["outcome"].choices = [("", _("– bitte wählen –")), *ClientOutcome.choices]
        self.offers_closing = Phase.CLOSED in targets
        self.goal_fields: list[str] = []
        self.follow_up_fields: list[str] = []
        if self.offers_closing or Phase.EVALUATION in targets:
            self._add_review_fields(case)
        add_version_fields(self, case, CASE_VERSION_FIELDS)

    def _add_review_fields(self, case: Case) -> None:
        """One field per goal still open (its result) and, for closing, per open follow-up
        (erledigt, entfällt, or handed to a colleague who carries it on)."""
        results = [("", _("– Ergebnis wählen –"))] + [
            (value, label) for value, label in GoalStatus.choices if value in GOAL_RESULTS
        ]
        for goal in unreviewed_goals_of(case):
            name = f"{GOAL_RESULT_PREFIX}{goal.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("Ziel „%(goal)s“: Ergebnis") % {"goal": goal.title},
                choices=results,
                required=False,
                widget=FastSelect,
            )
            self.goal_fields.append(name)
        if not self.offers_closing:
            return
        follow_ups = list(open_follow_ups_of(case))
        if not follow_ups:
            return
        staff = staff_for_cases([case.municipality.region_id]).values_list(
            "pk", "first_name", "last_name", "username"
        )
        hand_to = [
            (f"{HAND_TO}{pk}", _("übergeben an %(name)s") % {"name": f"{first} {last}".strip() or username})
            for pk, first, last, username in staff
        ]
        self.staff_pks = {int(value.removeprefix(HAND_TO)) for value, _label in hand_to}
        decisions = [
            ("", _("– bitte entscheiden –")),
            (FOLLOW_UP_DONE, _("erledigt")),
            (FOLLOW_UP_DROPPED, _("entfällt")),
            *hand_to,
        ]
        for follow_up in follow_ups:
            name = f"{FOLLOW_UP_DECISION_PREFIX}{follow_up.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("Wiedervorlage „%(title)s“ (fällig %(date)s)")
                % {"title": follow_up.title, "date": f"{follow_up.due_on:%d.%m.%Y}"},
                choices=decisions,
                required=False,
                widget=FastSelect,
            )
            self.follow_up_fields.append(name)

    def goal_results(self) -> dict[int, str]:
        data = self.cleaned_data
        return {
            int(name.removeprefix(GOAL_RESULT_PREFIX)): data[name]
            for name in self.goal_fields
            if data.get(name)
        }

    def follow_up_decisions(self) -> dict[int, object]:
        data = self.cleaned_data
        decisions: dict[int, object] = {}
        chosen = {
            int(name.removeprefix(FOLLOW_UP_DECISION_PREFIX)): data[name]
            for name in self.follow_up_fields
            if data.get(name)
        }
        people = {
            user.pk: user
            for user in User.objects.filter(
                pk__in=[int(v.removeprefix(HAND_TO)) for v in chosen.values() if v.startswith(HAND_TO)]
            )
        }
        for pk, value in chosen.items():
            decisions[pk] = (
                people.get(int(value.removeprefix(HAND_TO))) if value.startswith(HAND_TO) else value
            )
        return decisions


class ReassignForm(forms.Form):
    to_manager = forms.ModelChoiceField(
        label=_("neue/r Case Manager/in"), queryset=User.objects.none(), widget=FastSelect
    )
    note = forms.CharField(label=_("Bemerkung zur Übergabe"), required=False, max_length=2000)

    def __init__(self, *args, region_pks, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_manager"].queryset = staff_for_cases(region_pks)
        if case is not None:
            add_version_fields(self, case, CASE_VERSION_FIELDS)


class BulkReassignForm(forms.Form):
    """Koordination chooses cases to hand over: all cases of a person, or the rows selected in
    the filtered case list (`cases`), and who takes them on. The preview shows how many and
    the receiver's load before and after; only the confirmation hands them over."""

    from_manager = forms.ModelChoiceField(
        label=_("alle Fälle von"),
        queryset=User.objects.none(),
        required=False,
        widget=FastSelect,
        help_text=_(
            "Oder wählen Sie in der Fallliste einzelne Fälle aus und klicken Sie dort auf „Übergeben“."
        ),
    )
    cases = forms.ModelMultipleChoiceField(
        label=_("ausgewählte Fälle"),
        queryset=Case.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    to_manager = forms.ModelChoiceField(
        label=_("neue/r Case Manager/in"), queryset=User.objects.none(), widget=FastSelect
    )
    only_open = forms.BooleanField(label=_("nur offene Fälle"), required=False, initial=True)
    note = forms.CharField(
        label=_("Übergabenotiz"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Erscheint im Verlauf jedes übergebenen Falls."),
    )

    SAME_PERSON = _("Bitte wählen Sie zwei verschiedene Personen.")
    NOTHING_CHOSEN = _(
        "Bitte wählen Sie die Fälle aus: alle Fälle einer Person oder einzelne Fälle in der Fallliste."
    )
    NOTHING_TO_MOVE = _(
        "Unter den gewählten Fällen ist keiner, der übergeben werden kann (vielleicht gehören sie "
        "schon der gewählten Person oder sind abgeschlossen)."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        regions = None if user.is_superuser else region_ids(user)
        people = (
            User.objects.filter(is_active=True).order_by("last_name", "first_name")
            if regions is None
            else staff_for_cases(regions)
        )
        self.fields["to_manager"].queryset = people
        # The person leaving may already be deactivated.
        leaving = (
            User.objects.filter(managed_cases__isnull=False).distinct().order_by("last_name", "first_name")
        )
        if regions is not None:
            leaving = leaving.filter(managed_cases__municipality__region__in=regions)
        self.fields["from_manager"].queryset = leaving
        self.fields["from_manager"].empty_label = _("– Person wählen –")
        self.fields["cases"].queryset = Case.objects.visible_to(user)
        add_submit_token(self)

    def chosen_cases(self):
        """The cases to hand over, from the valid form: open ones only when asked, never
        those the receiver has already."""
        data = self.cleaned_data
        cases = Case.objects.visible_to(self.user)
        if data.get("cases"):
            cases = cases.filter(pk__in=[case.pk for case in data["cases"]])
        else:
            cases = cases.filter(case_manager=data["from_manager"])
        if data.get("only_open"):
            cases = cases.open()
        return cases.exclude(case_manager=data["to_manager"])

    def clean(self):
        data = super().clean()
        if not data.get("cases") and not data.get("from_manager"):
            raise forms.ValidationError(self.NOTHING_CHOSEN)
        if data.get("from_manager") and data.get("from_manager") == data.get("to_manager"):
            raise forms.ValidationError(self.SAME_PERSON)
        if data.get("to_manager") and not self.chosen_cases().exists():
            raise forms.ValidationError(self.NOTHING_TO_MOVE)
        return data


class QuickContactForm(ContactForm):
    """Mein Arbeitsplatz: log a contact without opening the case first."""

    case = forms.ModelChoiceField(label=_("Fall"), queryset=None, widget=FastSelect)

    class Meta(ContactForm.Meta):
        fields = ["case", "contacted_on", "channel", "duration_minutes", "topics", "note"]

    def __init__(self, *args, cases, case_choices: list[tuple[int, str]] | None = None, **kwargs):
        """`case_choices`: (pk, label) of `cases` when the caller has read them already;
        the posted case is checked against `cases` either way."""
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        field.queryset = cases
        field.empty_label = _("– Fall wählen –")
        if case_choices is not None:
            field.choices = [("", field.empty_label), *case_choices]
        else:
            # "Aktenzeichen – Klient/in oder Haushalt", as Case.subject prints it.
            choices_from_rows(
                field,
                ("reference", "client__first_name", "client__last_name", "household__name"),
                case_choice_label,
            )
        field.widget.attrs["data-filterable"] = _("Fall suchen: Aktenzeichen oder Name")
        self.order_fields(["case"])


def case_choice_label(reference, first_name, last_name, household_name) -> str:
    return case_label(reference, case_subject_name(first_name, last_name, household_name))
