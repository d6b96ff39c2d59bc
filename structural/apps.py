from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructuralConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "structural"
    verbose_name = _("Strukturarbeit")
