from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = _("Datenschutz")

    def ready(self) -> None:
        from django.core import checks

        from .checks import check_inventory

        # A new model or field without a classification fails `manage.py check` (and so CI).
        checks.register(check_inventory, checks.Tags.models)
