from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEEKDAYS = [
    ("0", _("Montag")),
    ("1", _("Dienstag")),
    ("2", _("Mittwoch")),
    ("3", _("Donnerstag")),
    ("4", _("Freitag")),
    ("5", _("Samstag")),
    ("6", _("Sonntag")),
]
WORKDAYS = "01234"


class ReminderSettings(models.Model):
    """A user's choice about the daily digest; without a row: on, Monday to Friday."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_settings",
        verbose_name=_("Konto"),
    )
    enabled = models.BooleanField(_("tägliche Erinnerung per E-Mail"), default=True)
    # The weekdays (Monday = 0) on which the digest is sent, as digits: "01234".
    weekdays = models.CharField(_("Wochentage"), max_length=7, default=WORKDAYS, blank=True)

    class Meta:
        verbose_name = _("Einstellung für Erinnerungen")
        verbose_name_plural = _("Einstellungen für Erinnerungen")

    def __str__(self) -> str:
        return str(self.user)

    def sends_on(self, day) -> bool:
        return self.enabled and str(day.weekday()) in self.weekdays


class DigestSent(models.Model):
    """The digest of one user on one day was sent: the unique pair keeps it to once a day,
    however often or concurrently the task runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("Konto")
    )
    day = models.DateField(_("Tag"))
    sent_at = models.DateTimeField(_("gesendet am"), default=timezone.now)
    items = models.PositiveIntegerField(_("Einträge"), default=0)

    class Meta:
        verbose_name = _("versandte Erinnerung")
        verbose_name_plural = _("versandte Erinnerungen")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_and_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day:%d.%m.%Y}"
