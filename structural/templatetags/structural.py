"""Template helpers of the structural pages (accounts.roles decides, templates only ask)."""

from django import template

from accounts import roles

register = template.Library()


@register.filter
def can_view_structural(user) -> bool:
    return roles.can_view_structural(user)


@register.filter
def can_view_steering(user) -> bool:
    return roles.can_view_steering(user)


@register.filter
def can_view_capacity(user) -> bool:
    return roles.can_view_capacity(user)
