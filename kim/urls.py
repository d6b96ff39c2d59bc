from django.contrib import admin
from django.urls import path

admin.site.site_header = "KIM – Fallarbeit und Netzwerk"
admin.site.site_title = "KIM Verwaltung"
admin.site.index_title = "Verwaltung"

urlpatterns = [
    path("admin/", admin.site.urls),
]
