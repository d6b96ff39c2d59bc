from django.contrib.admin.apps import AdminConfig


class KimAdminConfig(AdminConfig):
    """Django's admin app with KIM's admin site (second factor required) as `admin.site`."""

    default_site = "kim.admin.KimAdminSite"

    def ready(self):
        super().ready()
        from kim.choices import use_one_empty_choice_wording

        use_one_empty_choice_wording()
