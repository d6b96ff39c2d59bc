"""Every free text has a maximum length, in the model (so forms, the admin, the services and
the import all refuse more) with Django's German message. The probe stored 2,000,000
characters in a goal, a consent's purpose, a conference's participants, an actor's
description and a theme; the Art. 15 page then weighed 6.4 MB."""

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse

from casework import services
from kim.models import DESCRIPTION_MAX_LENGTH, NOTE_MAX_LENGTH
from tests.factories import CaseFactory

TOO_LONG = "Bitte sicherstellen, dass der Wert aus höchstens"


def _own_text_fields():
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or "site-packages" in config.path:
            continue
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.TextField):
                    yield pytest.param(field, id=f"{model._meta.label}.{field.name}")


@pytest.mark.parametrize("field", list(_own_text_fields()))
def test_every_free_text_has_a_limit_the_model_checks(field):
    assert field.max_length in (NOTE_MAX_LENGTH, DESCRIPTION_MAX_LENGTH), (
        "forms and the admin read max_length"
    )
    limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
    assert limits == [field.max_length], "full_clean() (services, import) reads the validator"


@pytest.mark.django_db
def test_a_service_refuses_a_two_million_character_text_in_german():
    case = CaseFactory()
    with pytest.raises(ValidationError) as error:
        services.goal_create(case=case, by=None, title="Sprachkurs", description="x" * 2_000_000)
    assert TOO_LONG in str(error.value)


@pytest.mark.django_db
def test_a_form_refuses_it_with_the_german_message(client, case_manager):
    case = CaseFactory(case_manager=case_manager)
    client.force_login(case_manager)
    response = client.post(
        reverse("cases:add_goal", args=[case.pk]),
        {"goal-title": "Sprachkurs", "goal-description": "x" * (DESCRIPTION_MAX_LENGTH + 1)},
    )
    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()
    assert not case.goals.exists()
