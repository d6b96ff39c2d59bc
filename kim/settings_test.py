"""Settings for the test suite: the real settings plus what makes tests fast and hermetic."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
# Set in the environment so a worker process the tests start shares the folder.
os.environ.setdefault("KIM_JOB_FILES_ROOT", tempfile.mkdtemp(prefix="kim-test-jobs-"))

from kim.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="kim-test-private-")
_documents = STORAGES["documents"]  # noqa: F405
if _documents["BACKEND"].endswith("FileSystemStorage"):
    _documents["OPTIONS"] = {"location": PRIVATE_MEDIA_ROOT, "base_url": None}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False

# django-axes stays on: the lockout tests need it. force_login() is unaffected (it picks the
# model backend); client.login() must pass request=HttpRequest(), as django-axes' backend needs
# the request (see tests/accounts/test_security.py).
AXES_ENABLED = True

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
STATIC_ROOT = tempfile.mkdtemp(prefix="kim-test-static-")
