"""Template helpers of the statistics pages."""

from django import template

from accounts.roles import can_view_statistics as _can_view_statistics

register = template.Library()


@register.filter
def can_view_statistics(user) -> bool:
    """For the navigation: whether the Statistik entry is shown (accounts.roles decides)."""
    return _can_view_statistics(user)
