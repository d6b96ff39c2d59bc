from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Mitarbeitende")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from kim.middleware import stamp_session_start

        user_logged_in.connect(stamp_session_start, dispatch_uid="kim_session_start")
