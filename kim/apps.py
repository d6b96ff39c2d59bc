from django.contrib.admin.apps import AdminConfig


class KimAdminConfig(AdminConfig):
    """Django's admin app with KIM's admin site (second factor required) as `admin.site`."""

    default_site = "kim.admin.KimAdminSite"
