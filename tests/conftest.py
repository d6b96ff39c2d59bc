import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must
# still be usable from that thread for the live-server tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
BROWSER_FIXTURES = {"page", "context", "browser"}


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    if os.environ.get("CI", "").lower() == "true":
        # In CI a missing browser is a broken setup, not a reason to skip.
        return
    skip = pytest.mark.skip(reason="Chromium not found (apt-get install -y chromium); browser tests skipped")
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not CHROMIUM:
        pytest.fail("Chromium is required for browser tests under CI=true but was not found.")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin", email="admin@kreis-coesfeld.example", password="admin-password-123"
    )


def login_with_otp(client, user):
    """Log `user` in as the admin login does after a correct one-time code: the session is
    verified by the user's TOTP device (django-otp), so the admin site lets them in."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(client, superuser):
    return login_with_otp(client, superuser)


def make_staff(role: str, region_names=("Nord",), **fields):
    from django.contrib.auth.models import Group

    from regions.models import Region
    from tests.factories import UserFactory

    user = UserFactory(regions=list(Region.objects.filter(name__in=region_names)), **fields)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def case_manager(db):
    from accounts.roles import CASE_MANAGEMENT

    return make_staff(CASE_MANAGEMENT, first_name="Clara", last_name="Casemann")


@pytest.fixture
def coordinator(db):
    from accounts.roles import COORDINATION

    return make_staff(COORDINATION, first_name="Konrad", last_name="Koordinator")


REFERENCE_DATA_MIGRATIONS = [
    "regions.migrations.0002_load_kreis_coesfeld",
    "casework.migrations.0002_load_catalogues",
]


def load_reference_data() -> None:
    """Re-run the data migrations (they are idempotent) on the live app registry."""
    import importlib

    from django.apps import apps

    for module in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(module).load(apps, None)


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """Transactional tests flush every table afterwards, including the data the migrations
    loaded (Kreis Coesfeld, catalogues); put it back for each such test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        load_reference_data()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may have been flushed by the last run's transactional tests."""
    with django_db_blocker.unblock():
        load_reference_data()
