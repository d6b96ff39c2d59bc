from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def actor_list(request):  # placeholder, replaced by the network module
    return HttpResponse("")
