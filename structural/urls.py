"""URLs of the structural work: barriers, themes, steering, case conferences, team capacity."""

from django.urls import path

from . import views

app_name = "structural"

urlpatterns = [
    path("barrieren/", views.barrier_list, name="barrier_list"),
    path("fall/<int:case_pk>/barriere/", views.barrier_create, name="barrier_create"),
    path("themen/", views.theme_list, name="theme_list"),
    path("themen/<int:pk>/", views.theme_detail, name="theme_detail"),
    path("themen/<int:pk>/bearbeiten/", views.theme_edit, name="theme_edit"),
    path("themen/<int:pk>/stufe/", views.theme_status, name="theme_status"),
    path("themen/<int:pk>/zusammenfuehren/", views.theme_merge, name="theme_merge"),
    path("steuerung/", views.steering, name="steering"),
    path("fall/<int:case_pk>/fallkonferenz/", views.conference_list, name="conference_list"),
    path(
        "fall/<int:case_pk>/fallkonferenz/praesentation/",
        views.conference_presentation,
        name="conference_presentation",
    ),
    path("fallkonferenz/<int:pk>/", views.conference_detail, name="conference_detail"),
    path("fallkonferenz/<int:pk>/uebernehmen/", views.conference_to_plan, name="conference_to_plan"),
    path("kapazitaet/", views.capacity, name="capacity"),
]
