from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/status", views.status, name="status"),
    path("<uuid:pk>/datei", views.download, name="download"),
]
