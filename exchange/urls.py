from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/<uuid:pk>/", views.import_job, name="import_job"),
    path("export/faelle.csv", views.case_export, {"fmt": "csv"}, name="case_export_csv"),
    path("export/faelle.xlsx", views.case_export, {"fmt": "xlsx"}, name="case_export_xlsx"),
    path("export/netzwerk.csv", views.network_export, name="network_export"),
]
