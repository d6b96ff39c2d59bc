"""Request middleware of the KIM project as a whole (not of one app)."""

import time

from django.conf import settings
from django.http import HttpResponse
from django.template import loader

# When the session was last written to the database, in whole seconds since the epoch.
SESSION_SAVED_AT_KEY = "_kim_saved_at"

# Write a signed-in session again only when its last write is at least this old.
SESSION_REFRESH_SECONDS = 60


class SessionRefreshMiddleware:
    """Keep a session alive on activity without writing it on every request.

    Signed-in users are logged out after SESSION_COOKIE_AGE (30 minutes) without a request.
    The database session backend enforces that through the row's expire_date, which every
    save sets to now + SESSION_COOKIE_AGE. SESSION_SAVE_EVERY_REQUEST would save on every
    request (BEGIN, UPDATE, COMMIT: three round trips); instead this marks the session
    modified only when its last save is SESSION_REFRESH_SECONDS or more ago, so
    SessionMiddleware saves at most once a minute per active user.

    The timeout therefore counts from the last save, which is at most a minute before the
    last request: an idle user is logged out after 29 to 30 minutes, never later.

    Must come after SessionMiddleware in MIDDLEWARE, so that its process_response runs first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # No session cookie and nothing stored: nothing to keep alive (and none to create).
        if session is None or session.is_empty():
            return response
        saved_at = session.get(SESSION_SAVED_AT_KEY)  # loads the session if the view did not
        # A cookie for a session that has expired or never existed: do not create one.
        if session.is_empty():
            return response
        now = int(time.time())
        if session.modified or saved_at is None or now - saved_at >= SESSION_REFRESH_SECONDS:
            # SessionMiddleware saves it now, which also sets expire_date to now + 30 min.
            session[SESSION_SAVED_AT_KEY] = now
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than KIM_MAX_REQUEST_BYTES before reading it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count files, and a form's own size check
    runs only after the whole upload has been received and written to a temporary file (25 s
    for 200 MB, a worker held all the while). The announced Content-Length is enough to say
    no at once. Must come before anything that reads request.POST (CsrfViewMiddleware). The
    reverse proxy should refuse the same size itself (nginx: client_max_body_size; README).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.KIM_MAX_REQUEST_BYTES
        if length > limit:
            # Rendered without the request: no context processor, no session, no database.
            content = loader.get_template("413.html").render({"limit_mb": limit // 2**20})
            # (The unread body is the server's to discard: gunicorn's sync workers close the
            # connection after every response.)
            return HttpResponse(content, status=413)
        return self.get_response(request)
