from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("bericht/", views.report, name="report"),
]
