"""An expired session never eats input.

A case manager whose session ran out while writing a long contact note would lose the
note: `login_required` answers the POST with a redirect to the login page and drops the
body. `login_required_keep_input` keeps it instead. The posted fields (without the CSRF
token and without files) go into the new, anonymous session as a draft for the form
page; the login keeps that session's data (`django.contrib.auth.login` only cycles the
key), and the form page, once the user is back, shows the draft pre-filled with a
message: restored, not saved.

The draft holds personal data, so it lives only in the server-side session (the
database session backend), never in a URL, a cookie value or a log line; it is removed
as soon as a page takes it, and it is dropped after `DRAFT_LIFETIME`. A draft is only
ever shown on the page it was written for, which checks access as usual: a different
person signing in on the same browser sees it only where they may see the case anyway.
"""

import time
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "kim_drafts"
DRAFT_LIFETIME_SECONDS = 2 * 60 * 60
MAX_DRAFT_CHARS = 200_000
# Never kept: the CSRF token (a new one comes with the restored page). A form's one-time
# submit token is kept: the expired POST wrote nothing, so the restored form may use it.
NOT_KEPT = frozenset({"csrfmiddlewaretoken"})
RESTORED = _("Ihre Eingabe wurde nach der erneuten Anmeldung wiederhergestellt. Bitte prüfen und speichern.")


def login_required_keep_input(form_page):
    """`login_required` for a POST view whose input must survive an expired session.

    `form_page(request, *args, **kwargs)` names the page the form lives on (a URL, or a
    URL name with its arguments resolved by the caller); the user is sent back there after
    signing in, and that page reads the draft with `take_draft`.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            page = resolve_url(form_page(request, *args, **kwargs))
            if request.method == "POST":
                keep_draft(request, page=page)
            return redirect_to_login(page)

        return wrapped

    return decorator


def keep_draft(request, *, page: str) -> None:
    """Store the posted fields for `page`, replacing an earlier draft for it."""
    data = {key: request.POST.getlist(key) for key in request.POST if key not in NOT_KEPT}
    if sum(len(key) + sum(len(value) for value in values) for key, values in data.items()) > MAX_DRAFT_CHARS:
        return  # far more than any form of the case page holds: not a draft worth a session row
    drafts = _live_drafts(request.session)
    drafts[page] = {"action": request.path, "data": data, "at": time.time()}
    request.session[SESSION_KEY] = drafts


def take_draft(request, *, page: str) -> tuple[str, QueryDict] | None:
    """The draft for `page` as (the path it was posted to, its data), removed from the session."""
    if SESSION_KEY not in request.session:
        return None
    drafts = _live_drafts(request.session)
    draft = drafts.pop(page, None)
    if drafts:
        request.session[SESSION_KEY] = drafts
    else:
        del request.session[SESSION_KEY]
    if draft is None:
        return None
    data = QueryDict(mutable=True)
    for key, values in draft["data"].items():
        data.setlist(key, values)
    return draft["action"], data


def _live_drafts(session) -> dict:
    oldest = time.time() - DRAFT_LIFETIME_SECONDS
    return {
        page: draft for page, draft in session.get(SESSION_KEY, {}).items() if draft.get("at", 0) >= oldest
    }
