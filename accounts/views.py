"""Signing in: the one-time code (second factor) that privileged accounts confirm each session with."""

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login

from accounts.roles import needs_second_factor
from accounts.throttling import client_ip

WRONG_CODE = _(
    "Der Code stimmt nicht oder ist abgelaufen. Geben Sie den aktuellen Code aus Ihrer "
    "Authenticator-App ein; nach mehreren Fehlversuchen müssen Sie etwas länger warten."
)


class SecondFactorForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Einmalcode aus der Authenticator-App"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].strip()
        # match_token asks each confirmed device; a TOTP device refuses while it is throttled
        # after failures (django-otp's ThrottlingMixin), so guessing is slow.
        self.device = match_token(self.user, token)
        if self.device is None:
            raise forms.ValidationError(WRONG_CODE, code="invalid_token")
        return token


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


@never_cache
@csrf_protect
@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Ask a privileged account for its one-time code; verified sessions go straight on."""
    user = request.user
    if not needs_second_factor(user) or user.is_verified():
        return HttpResponseRedirect(_safe_next(request))
    if not any(devices_for_user(user, confirmed=True)):
        return second_factor_missing(request)
    form = SecondFactorForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        return HttpResponseRedirect(_safe_next(request))
    return render(request, "registration/second_factor.html", {"form": form, "next": _safe_next(request)})


def second_factor_missing(request: HttpRequest) -> HttpResponse:
    """The German refusal for a privileged account without a device: how to get one."""
    return render(request, "registration/second_factor_missing.html", status=403)


# --- Passwords: change when signed in, reset by e-mail ------------------------------------


def password_reset_allowed(request: HttpRequest, email: str) -> bool:
    """Whether a reset mail may go out: at most KIM_PASSWORD_RESET_LIMIT an hour for one
    address (e-mail) and twice that from one client address, so the page can neither flood a
    colleague's inbox nor be used to send mail to everyone. Counted in the cache."""
    limit = settings.KIM_PASSWORD_RESET_LIMIT
    counters = (
        (f"kim:pwreset:mail:{email.strip().lower()}", limit),
        (f"kim:pwreset:addr:{client_ip(request)}", 2 * limit),
    )
    allowed = True
    for key, most in counters:
        cache.add(key, 0, timeout=3600)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=3600)
            count = 1
        allowed = allowed and count <= most
    return allowed


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view: the same answer whether an account has the address or not (it
    mails only existing, active accounts), and no mail beyond the limits above."""

    def form_valid(self, form):
        if password_reset_allowed(self.request, form.cleaned_data["email"]):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())
