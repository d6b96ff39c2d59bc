"""Template helpers of the import and export pages."""

from django import template

from accounts.roles import can_import as _can_import

register = template.Library()


@register.filter
def can_import(user) -> bool:
    """For the navigation: whether „Daten importieren“ is shown (accounts.roles decides)."""
    return _can_import(user)
