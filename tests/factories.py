"""factory_boy factories. Cases are opened through the service, as in the product."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import User
from casework import services
from casework.models import (
    Actor,
    ActorType,
    Case,
    Client,
    ClosureReason,
    ContactPerson,
    Household,
    Topic,
)
from regions.models import District, Municipality, Region


def coesfeld() -> District:
    return District.objects.get(key="05558")


def municipality(name: str = "Coesfeld") -> Municipality:
    return Municipality.objects.select_related("region__district").get(name=name)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"Testkreis {n}")
    key = factory.Sequence(lambda n: f"{90000 + n:05d}")
    code = factory.Sequence(lambda n: "T" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Region {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Gemeinde {n}")
    ags = factory.LazyAttributeSequence(lambda o, n: f"{o.region.district.key}{n % 1000:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    email = factory.LazyAttribute(lambda o: f"{o.username}@kreis-coesfeld.example")
    district = factory.LazyFunction(coesfeld)
    password = factory.django.Password("test-password-123")

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    date_of_birth = dt.date(1990, 5, 17)
    municipality = factory.LazyFunction(municipality)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    name = factory.Sequence(lambda n: f"Familie Test {n}")
    municipality = factory.LazyFunction(municipality)


class CaseFactory(factory.django.DjangoModelFactory):
    """Opens a case through `services.case_open`, so it gets a reference and history."""

    class Meta:
        model = Case

    client = factory.SubFactory(ClientFactory)
    municipality = factory.LazyAttribute(lambda o: o.client.municipality if o.client else municipality())
    case_manager = None
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        by = kwargs.pop("by", None)
        return services.case_open(by=by, **kwargs)


class ActorTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActorType
        django_get_or_create = ("name",)

    name = "Beratungsstelle"


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    district = factory.LazyFunction(coesfeld)
    name = factory.Sequence(lambda n: f"Migrationsberatung {n}")
    actor_type = factory.SubFactory(ActorTypeFactory)


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    actor = factory.SubFactory(ActorFactory)
    name = factory.Faker("name", locale="de_DE")


def closure_reason() -> ClosureReason:
    return ClosureReason.objects.get(name="Ziele erreicht")


def topic(name: str = "Sprache") -> Topic:
    return Topic.objects.get(name=name)
