from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .forms import ReminderSettingsForm
from .models import ReminderSettings


@login_required
@never_cache
def reminder_settings(request):
    """The signed-in user's own choice: the daily digest on or off, and on which weekdays."""
    instance = ReminderSettings.objects.filter(user=request.user).first() or ReminderSettings(
        user=request.user
    )
    form = ReminderSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Ihre Einstellungen für Erinnerungen sind gespeichert."))
        return redirect("reminders:settings")
    return render(request, "reminders/settings.html", {"form": form, "has_email": bool(request.user.email)})
