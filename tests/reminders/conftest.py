import datetime as dt

import pytest
from django.utils import timezone

from accounts.roles import CASE_MANAGEMENT
from casework import services
from casework.models import ResidenceStatus
from tests.conftest import make_staff
from tests.factories import CaseFactory, ClientFactory

# Unusual values that must never reach a mail: if any of them shows up, personal data leaked.
SENTINELS = {
    "first_name": "Zorbaqxine",
    "last_name": "Vlmpfhausen",
    "external_id": "EXT-QQ-7731",
    "date_of_birth": dt.date(1911, 11, 11),
    "phone": "+49 2541 9988776",
    "email": "zorbaqxine@sentinel.example",
    "follow_up_titles": ("Rückruf Sentinelarzt", "Sentinelbescheid prüfen"),
}
SENTINEL_TEXTS = [
    SENTINELS["first_name"],
    SENTINELS["last_name"],
    SENTINELS["external_id"],
    "11.11.1911",
    "1911-11-11",
    SENTINELS["phone"],
    SENTINELS["email"],
    *SENTINELS["follow_up_titles"],
    "Duldung",
]


@pytest.fixture
def reminded_manager(transactional_db):
    """A case manager with an e-mail address and one case with two overdue follow-ups; the
    client carries sentinel values in every identifying field."""
    user = make_staff(CASE_MANAGEMENT, ("Nord",), email="cm@kreis.example")
    client = ClientFactory(
        first_name=SENTINELS["first_name"],
        last_name=SENTINELS["last_name"],
        external_id=SENTINELS["external_id"],
        date_of_birth=SENTINELS["date_of_birth"],
        phone=SENTINELS["phone"],
        email=SENTINELS["email"],
        residence_status=ResidenceStatus.DULDUNG,
        residence_valid_until=timezone.localdate() + dt.timedelta(days=20),
    )
    case = CaseFactory(client=client, case_manager=user)
    today = timezone.localdate()
    for days, title in zip((5, 2), SENTINELS["follow_up_titles"], strict=True):
        services.follow_up_create(case=case, by=user, title=title, due_on=today - dt.timedelta(days=days))
    user.case = case
    return user
