from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.forms import LoginForm
from accounts.views import second_factor
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
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("statistik/", include("reporting.urls")),
    path("struktur/", include("structural.urls")),
    path("", include("exchange.urls")),
    path("", include("casework.urls")),
]
