"""The login form."""

from django.contrib.auth.forms import AuthenticationForm


class UsernameLengthMixin:
    """Check the username's length before anyone looks it up.

    Django's AuthenticationForm puts the length only on the widget (maxlength), so a longer
    name reached authenticate() and django-axes, whose record of the failed attempt holds 255
    characters: a database error (500) on PostgreSQL instead of "wrong name or password".
    """

    def clean_username(self):
        username = self.cleaned_data["username"]
        if len(username) > self.fields["username"].max_length:
            raise self.get_invalid_login_error()
        return username


class LoginForm(UsernameLengthMixin, AuthenticationForm):
    pass
