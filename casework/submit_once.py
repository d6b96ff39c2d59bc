"""Double submits create one row, not two.

Every create form carries a one-time `submit_token` (a uuid4, new with each empty form).
The view runs the service inside `run_once`: the token is stored (`SubmitToken`, unique) in
the same transaction as the write, so a double click or a reload after POST finds the token
taken and creates nothing; the user lands on the page the first submit led to, with
"Bereits gespeichert.". A failed write rolls the token back with it, so the corrected form
can be sent again with the same token.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SubmitToken

TOKEN_FIELD = "submit_token"
ALREADY_SAVED = _("Bereits gespeichert.")
# Long enough for any reload or back-button resend; old tokens are removed on the next write.
TOKEN_LIFETIME = dt.timedelta(days=2)

T = TypeVar("T")


class AlreadySubmitted(Exception):
    """This form was sent before and its write committed: nothing was written now."""

    def __init__(self, result_path: str):
        super().__init__(result_path)
        self.result_path = result_path


def add_submit_token(form: forms.BaseForm) -> None:
    """Give a create form its hidden one-time token (a new one for each empty form)."""
    form.fields[TOKEN_FIELD] = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)


def pop_submit_token(form: forms.BaseForm) -> uuid.UUID | None:
    """The token of a validated form, taken out of `cleaned_data` so services never see it."""
    return form.cleaned_data.pop(TOKEN_FIELD, None)


def submitted_before(token: uuid.UUID | None) -> str | None:
    """The page a token's committed write led to, or None if the token is unused.

    For checks that come before the write (a duplicate warning): a resent form is
    recognised first, and not answered with a warning about the row it just created."""
    if token is None:
        return None
    return SubmitToken.objects.filter(token=token).values_list("result_path", flat=True).first()


def run_once(*, token: uuid.UUID | None, user, write: Callable[[], T], result_path: Callable[[T], str]) -> T:
    """Run `write` unless this token's write already happened (then raise `AlreadySubmitted`).

    Without a token (an old page, a script) the write simply runs. On PostgreSQL a second
    submit racing the first waits on the unique index until the first commits, then fails.
    """
    if token is None:
        return write()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = SubmitToken.objects.create(
                    token=token, user=user if getattr(user, "is_authenticated", False) else None
                )
        except IntegrityError:
            previous = SubmitToken.objects.filter(token=token).first()
            raise AlreadySubmitted(previous.result_path if previous else "") from None
        result = write()
        record.result_path = result_path(result)[:200]
        record.save(update_fields=["result_path"])
        SubmitToken.objects.filter(created_at__lt=timezone.now() - TOKEN_LIFETIME).delete()
        return result
