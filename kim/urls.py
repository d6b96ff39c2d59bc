from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import LoginForm
from accounts.views import ThrottledPasswordResetView, second_factor
from kim.health import healthz

# The database being away is a 503 with Retry-After, not the 500 page (kim/health.py).
handler500 = "kim.health.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(
        "anmelden/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("anmelden/code/", second_factor, name="second_factor"),
    path("konto/passwort/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "konto/passwort/geaendert/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("anmelden/passwort-vergessen/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path(
        "anmelden/passwort-vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "anmelden/passwort-neu/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "anmelden/passwort-neu/fertig/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("statistik/", include("reporting.urls")),
    path("struktur/", include("structural.urls")),
    path("auftraege/", include("jobs.urls")),
    path("einstellungen/", include("reminders.urls")),
    path("", include("exchange.urls")),
    path("", include("casework.urls")),
]
