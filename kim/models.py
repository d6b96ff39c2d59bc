"""Abstract base models shared by every app."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


# Longest free texts: notes and results (a contact's note, a referral's outcome, decisions)
# and descriptions (a goal's steps, an actor's offer, a consent's purpose, participants).
# Generous for what people write, far below what fills a page or an Art. 15 export.
NOTE_MAX_LENGTH = 10_000
DESCRIPTION_MAX_LENGTH = 2_000


def text_limit(limit: int) -> dict:
    """Keyword arguments for a TextField with a maximum length: `max_length` for the forms and
    the admin (Django's form field and textarea read it), the validator for full_clean(), which
    the services and the import call (a TextField's max_length alone is not checked there)."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}
