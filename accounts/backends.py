"""Authentication: Django's ModelBackend, with the user's roles read in the same query.

Every request loads the signed-in user; the role checks (accounts.roles) then need the
user's groups. Reading both at once saves a query on every page.
"""

from django.contrib.auth.backends import ModelBackend

from .models import User
from .roles import remember_roles, with_roles


class KimModelBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = with_roles(User._default_manager.all()).get(pk=user_id)
        except User.DoesNotExist:
            return None
        remember_roles(user)
        return user if self.user_can_authenticate(user) else None
