from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("export/faelle.<str:fmt>", views.case_export, name="case_export"),
    path("export/netzwerk.csv", views.network_export, name="network_export"),
]
