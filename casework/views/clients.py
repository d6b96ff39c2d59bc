from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def client_list(request):  # placeholder, replaced by the clients module
    return HttpResponse("")
