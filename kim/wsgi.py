"""
WSGI config for kim project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")

application = get_wsgi_application()

# Everything loaded so far (Django, the apps, URLs, settings) lives as long as the process:
# taken out of the garbage collector's reach, it is no longer walked by every full
# collection, which otherwise costs a request several milliseconds now and then.
gc.freeze()
