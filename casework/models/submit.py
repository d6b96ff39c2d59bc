"""One-time tokens of create forms (casework/submit_once.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubmitToken(models.Model):
    """A form sent once: the one-time token of a create form, stored in the transaction of
    its write, so a double click or a reload creates one row, not two (casework/submit_once.py)."""

    token = models.UUIDField(_("Token"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Benutzer/in"),
    )
    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, db_index=True)
    # Where the first submit led (a path of this site), for the repeated one.
    result_path = models.CharField(_("Ergebnisseite"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Formular-Token")
        verbose_name_plural = _("Formular-Token")

    def __str__(self) -> str:
        return str(self.token)
