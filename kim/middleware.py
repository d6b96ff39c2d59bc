"""Request middleware of the KIM project as a whole (not of one app)."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from accounts.roles import needs_second_factor

# When the session was last written to the database, in whole seconds since the epoch.
SESSION_SAVED_AT_KEY = "_kim_saved_at"

# Write a signed-in session again only when its last write is at least this old.
SESSION_REFRESH_SECONDS = 60

# When the user signed in, in whole seconds since the epoch: the absolute lifetime counts from it.
SESSION_STARTED_AT_KEY = "_kim_started_at"


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

    Besides, a signed-in session ends KIM_SESSION_MAX_HOURS (default 10) after the sign-in
    however busy it is: a session taken over (an unlocked PC, a copied cookie) does not live
    forever by being used. The start is stamped on login (accounts.apps) or, for a session
    that has none, on its first request.

    Must come after SessionMiddleware in MIDDLEWARE, so that its process_response runs first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._end_if_too_old(request)
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
        if SESSION_KEY in session and SESSION_STARTED_AT_KEY not in session:
            session[SESSION_STARTED_AT_KEY] = now
        if session.modified or saved_at is None or now - saved_at >= SESSION_REFRESH_SECONDS:
            # SessionMiddleware saves it now, which also sets expire_date to now + 30 min.
            session[SESSION_SAVED_AT_KEY] = now
        return response

    @staticmethod
    def _end_if_too_old(request) -> None:
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return
        started_at = session.get(SESSION_STARTED_AT_KEY)
        if started_at is not None and time.time() - started_at >= settings.KIM_SESSION_MAX_HOURS * 3600:
            # Before AuthenticationMiddleware: the request goes on as an anonymous one, so the
            # view sends it to the login page as for an expired session.
            session.flush()


def stamp_session_start(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: a new sign-in starts the absolute lifetime anew."""
    if hasattr(request, "session"):
        request.session[SESSION_STARTED_AT_KEY] = int(time.time())


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


# What an account without its second factor may still open: signing in and out, the code page.
SECOND_FACTOR_EXEMPT_VIEWS = frozenset({"login", "logout", "second_factor"})


class SecondFactorMiddleware:
    """No page for a privileged account until a one-time code has verified the session.

    django-otp's admin guards /admin/ only; superusers and administrators reach every
    district's cases through the casework pages as well, so the rule is applied here, to every
    view (accounts.roles.needs_second_factor says who). Without a confirmed device the answer
    is a German 403 page that says how to set one up; with one, a redirect to the code page.

    Must come after django_otp.middleware.OTPMiddleware (request.user.is_verified).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.resolver_match.view_name in SECOND_FACTOR_EXEMPT_VIEWS:
            return None
        if not needs_second_factor(user) or user.is_verified():
            return None
        from django_otp import devices_for_user

        from accounts.views import second_factor_missing

        if not any(devices_for_user(user, confirmed=True)):
            return second_factor_missing(request)
        return redirect_to_login(request.get_full_path(), reverse("second_factor"), "next")


# Browser features the application never uses: no page, and no script injected into one, may ask.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
)


class PrivateResponseMiddleware:
    """Every response to a signed-in user is private and never stored (Cache-Control:
    no-store): pages, exports and documents hold social data that must not stay in a browser's
    or a proxy's cache after the user signed out. Every response carries a Permissions-Policy.

    After AuthenticationMiddleware (request.user); it sets the headers on the way out, so a
    view's own Cache-Control (e.g. never_cache) is replaced by the stricter one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
