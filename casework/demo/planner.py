"""The demo data builder: staff, actors, clients and the shape of every case, then `run()`."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import CASE_MANAGEMENT, COORDINATION
from regions.models import District, Municipality, Region

from ..lifecycle import ACTIVE_PHASES, Phase
from ..models import (
    Actor,
    ActorType,
    Case,
    Client,
    ClosureReason,
    ContactPerson,
    DataCategory,
    Gender,
    Household,
    HouseholdRole,
    LegalFramework,
    Topic,
)
from .actors import ActorSpec, _population, actor_specs, extra_actor_count
from .common import (
    ACTOR_ID_PREFIX,
    BATCH_SIZE,
    CASE_MANAGERS_PER_REGION,
    DEFAULT_DISTRICT_KEY,
    FTE_CHOICES,
    HISTORY_DAYS,
    Weights,
    _weighted,
)
from .entries import CaseLifeWriter
from .people import EXPIRING, POSTAL_CODES, STREETS, Person, _age_on, _ascii, _slug, drama_phone, make_person
from .plans import CaseSpec, _weekday
from .texts import AUTHORITY_TYPES, TOPIC_ACTOR_TYPES
from .writer import RowWriter


class DemoBuilder(CaseLifeWriter):
    """Plans and writes the demo data for one district; `run()` does everything."""

    def __init__(self, *, district: District, cases: int, seed: int, today: dt.date, now: dt.datetime):
        self.district = district
        self.cases = cases
        self.seed = seed
        self.today = today
        self.now = now
        self.tz = timezone.get_current_timezone()
        self.writer = RowWriter(now=now)
        self.counts: dict[str, int] = defaultdict(int)
        regions = list(Region.objects.filter(district=district).order_by("name"))
        municipalities = list(
            Municipality.objects.filter(region__district=district).select_related("region").order_by("ags")
        )
        self.regions: dict[Region, list[Municipality]] = {
            r: [m for m in municipalities if m.region_id == r.pk] for r in regions
        }
        self.regions = {r: ms for r, ms in self.regions.items() if ms}
        self.municipalities = [m for ms in self.regions.values() for m in ms]
        if self.municipalities:
            self.municipality_weights = Weights({m: _population(m) for m in self.municipalities})
        self._manager_weights: dict[tuple, Weights] = {}
        self._actor_pools: dict[tuple, list[Actor]] = {}
        self.topics = {t.name: t for t in Topic.objects.order_by("sort_order", "name")}
        self.actor_types = {t.name: t for t in ActorType.objects.all()}
        self.closure_reasons = {r.name: r for r in ClosureReason.objects.all()}
        self.frameworks = {f.code: f for f in LegalFramework.objects.all()}
        self.data_categories = list(DataCategory.objects.order_by("sort_order", "name"))

    def rng(self, *parts) -> random.Random:
        """An independent random stream per purpose, so one part does not shift another."""
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def _at(self, rng: random.Random, day: dt.date) -> dt.datetime:
        moment = dt.datetime(
            day.year, day.month, day.day, rng.randint(8, 16), rng.randrange(0, 60, 5), tzinfo=self.tz
        )
        return min(moment, self.now)

    def _bulk(self, model: type[models.Model], objs: list, key: str | None = None) -> list:
        """Small sets (staff, actors) go through the ORM; they are few and need no speed."""
        if objs:
            model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        self.counts[key or model._meta.model_name] += len(objs)
        return objs

    def _objects(self, model: type[models.Model], objs: list, key: str) -> None:
        self.writer.insert_objects(model, objs)
        self.counts[key] += len(objs)

    def _rows(
        self, model: type[models.Model], rows: list[dict], key: str, *, returning: bool = False
    ) -> list[int]:
        self.counts[key] += len(rows)
        return self.writer.insert(model, rows, returning=returning)

    def _bulk_m2m(self, descriptor, pairs: Iterable[tuple[int, int]]) -> None:
        m2m = descriptor.field
        source, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
        self.writer.insert(descriptor.through, [{source: a, target: b} for a, b in pairs])

    # --- staff ---------------------------------------------------------------------

    def ensure_staff(self) -> dict[int, dict]:
        """A coordinator and case managers per region; existing accounts are left alone."""
        prefix = "" if self.district.key == DEFAULT_DISTRICT_KEY else f"{self.district.code.lower()}."
        domain = f"{_slug(self.district.name)}.example"
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in (CASE_MANAGEMENT, COORDINATION)}
        wanted: list[tuple[str, Region, str, Municipality | None]] = []
        for region, municipalities in self.regions.items():
            slug = _slug(region.name)
            municipalities = sorted(municipalities, key=lambda m: (-_population(m), m.pk))
            wanted.append((f"{prefix}koord.{slug}", region, COORDINATION, None))
            for n in range(1, CASE_MANAGERS_PER_REGION + 1):
                # Every other case manager is employed by a municipality, the others by the KI.
                employer = municipalities[(n // 2) % len(municipalities)] if n % 2 else None
                wanted.append((f"{prefix}cm.{slug}.{n}", region, CASE_MANAGEMENT, employer))
        existing = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
        staff: dict[int, dict] = {r.pk: {"coordinator": None, "case_managers": []} for r in self.regions}
        for username, region, role, employer in wanted:
            user = existing.get(username)
            if user is None:
                rng = random.Random(f"staff:{username}")
                person = make_person(
                    rng, today=self.today, nationality=rng.choice(("DE", "DE", "DE", "TR", "PL"))
                )
                user = User(
                    username=username,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    email=f"{username}@{domain}",
                    district=self.district,
                    employing_municipality=employer,
                    fte=rng.choice(FTE_CHOICES),
                )
                user.set_unusable_password()
                user.save()
                user.regions.set([region])
                user.groups.add(groups[role])
                self.counts["users"] += 1
            if role == COORDINATION:
                staff[region.pk]["coordinator"] = user
            else:
                staff[region.pk]["case_managers"].append(user)
        return staff

    # --- actors --------------------------------------------------------------------

    def ensure_actors(self) -> list[Actor]:
        specs = actor_specs(self.district, self.regions, extra_actor_count(self.cases))
        existing = set(
            Actor.objects.filter(district=self.district, external_id__startswith=ACTOR_ID_PREFIX).values_list(
                "external_id", flat=True
            )
        )
        new: list[tuple[Actor, ActorSpec]] = []
        persons: list[ContactPerson] = []
        for index, spec in enumerate(specs, start=1):
            external_id = f"{ACTOR_ID_PREFIX}{index:04d}"
            if external_id in existing or spec.actor_type not in self.actor_types:
                continue
            rng = self.rng("actor", external_id)
            domain = f"{_slug(spec.name)[:50].strip('-')}.example"
            actor = Actor(
                district=self.district,
                name=spec.name,
                actor_type=self.actor_types[spec.actor_type],
                street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                postal_code=POSTAL_CODES.get(spec.location.name, ""),
                city=spec.location.name,
                phone=drama_phone(rng),
                email=f"info@{domain}",
                website=f"https://www.{domain}/",
                description=spec.description,
                external_id=external_id,
            )
            new.append((actor, spec))
            for _ in range(rng.randint(1, 3)):
                person = make_person(
                    rng, today=self.today, nationality=rng.choice(("DE", "DE", "DE", "TR", "SY"))
                )
                local = f"{_ascii(person.first_name)}.{_ascii(person.last_name)}".replace("--", "-")
                persons.append(
                    ContactPerson(
                        actor=actor,
                        name=f"{person.first_name} {person.last_name}",
                        role=rng.choice(spec.roles),
                        phone=drama_phone(rng),
                        email=f"{local}@{domain}",
                    )
                )
        self._bulk(Actor, [a for a, _ in new], "actors")
        self._bulk(ContactPerson, persons, "contact_persons")
        self._bulk_m2m(Actor.municipalities, [(a.pk, m.pk) for a, s in new for m in s.serves])
        self._bulk_m2m(
            Actor.topics, [(a.pk, self.topics[t].pk) for a, s in new for t in s.topics if t in self.topics]
        )
        return list(
            Actor.objects.filter(
                district=self.district, external_id__startswith=ACTOR_ID_PREFIX, is_active=True
            )
            .select_related("actor_type")
            .prefetch_related("municipalities", "contact_persons")
            .order_by("external_id")
        )

    # --- clients and the shape of each case ---------------------------------------

    def _client(
        self,
        person: Person,
        municipality: Municipality,
        rng: random.Random,
        street: str | None = None,
        **extra,
    ) -> Client:
        adult = _age_on(person.date_of_birth, self.today) >= 16
        email = ""
        if adult and rng.random() < 0.3:
            email = f"{_ascii(person.first_name)}.{_ascii(person.last_name)}{rng.randint(1, 99)}@post.example"
        if street is None:
            street = self._street(rng)
        client = Client(
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=person.date_of_birth,
            gender=person.gender,
            nationality=person.nationality,
            languages=person.languages,
            needs_interpreter=person.needs_interpreter,
            residence_status=person.residence_status,
            residence_valid_until=person.residence_valid_until,
            municipality=municipality,
            street=street,
            postal_code=POSTAL_CODES.get(municipality.name, "") if street else "",
            phone=drama_phone(rng) if adult and rng.random() < 0.8 else "",
            email=email,
            **extra,
        )
        client._demo_frameworks = [code for code in person.frameworks if code in self.frameworks]
        return client

    def _street(self, rng: random.Random) -> str:
        # Some people have no fixed address (yet): shared accommodation, staying with relatives.
        return f"{rng.choice(STREETS)} {rng.randint(1, 150)}" if rng.random() < 0.9 else ""

    def _household(
        self, rng: random.Random, municipality: Municipality, adults_with_cases: int
    ) -> tuple[Household, list[Client]]:
        size = _weighted(rng, {2: 20, 3: 30, 4: 30, 5: 20})
        head = make_person(rng, today=self.today, age=rng.randint(24, 55))
        origin = head.name_origin
        household = Household(name=f"Familie {head.family_name}", municipality=municipality)
        street = self._street(rng)

        def member(person: Person, role: str) -> Client:
            return self._client(person, municipality, rng, street, household=household, household_role=role)

        members = [member(head, HouseholdRole.HEAD)]
        head_age = _age_on(head.date_of_birth, self.today)
        has_partner = size >= 2 and (adults_with_cases > 1 or rng.random() < 0.8)
        if has_partner:
            gender = Gender.MALE if head.gender == Gender.FEMALE else Gender.FEMALE
            partner = make_person(
                rng,
                today=self.today,
                nationality=head.origin_code,
                name_origin=origin,
                gender=gender,
                last_name=head.family_name if rng.random() < 0.8 else None,
                age=max(18, head_age + rng.randint(-6, 6)),
            )
            members.append(member(partner, HouseholdRole.PARTNER))
        with_relative = size >= 4 and rng.random() < 0.15
        while len(members) < size - (1 if with_relative else 0):
            child = make_person(
                rng,
                today=self.today,
                nationality=head.origin_code,
                name_origin=origin,
                last_name=head.family_name,
                age=rng.randint(0, max(0, min(17, head_age - 18))),
            )
            members.append(member(child, HouseholdRole.CHILD))
        if with_relative:
            relative = make_person(
                rng,
                today=self.today,
                nationality=head.origin_code,
                name_origin=origin,
                age=rng.randint(58, 80),
            )
            members.append(member(relative, HouseholdRole.RELATIVE))
        return household, members

    def _choose_municipality(self, rng: random.Random) -> Municipality:
        return self.municipality_weights.pick(rng)

    def _opened_on(self, rng: random.Random, earliest_days_ago: int = 0, latest_days_ago: int = HISTORY_DAYS):
        # More cases in recent years: KIM teams grew, and so did the number of referrals.
        span = latest_days_ago - earliest_days_ago
        days_ago = earliest_days_ago + int(span * (1 - rng.random() ** 0.8))
        day = self.today - dt.timedelta(days=days_ago)
        return _weekday(day, self.today - dt.timedelta(days=latest_days_ago))

    def _phase_for_age(self, rng: random.Random, age_days: int) -> str:
        if age_days < 30:
            weights = {"intake": 50, "assessment": 30, "planning": 10, "paused": 4, "closed": 6}
        elif age_days < 120:
            weights = {
                "intake": 8,
                "assessment": 28,
                "planning": 25,
                "monitoring": 22,
                "paused": 6,
                "closed": 11,
            }
        elif age_days < 365:
            weights = {
                "intake": 2,
                "assessment": 7,
                "planning": 14,
                "monitoring": 33,
                "evaluation": 4,
                "paused": 9,
                "closed": 31,
            }
        else:
            weights = {
                "intake": 1,
                "assessment": 2,
                "planning": 5,
                "monitoring": 14,
                "evaluation": 3,
                "paused": 6,
                "closed": 69,
            }
        return _weighted(rng, weights)

    def plan_cases(self, rng: random.Random) -> tuple[list[CaseSpec], list[Household], list[Client]]:
        specs: list[CaseSpec] = []
        households: list[Household] = []
        clients: list[Client] = []

        def spec_for(members: list[Client], household: Household | None, opened_on: dt.date, **kw) -> None:
            """A case for one client (`members` is that client) or for a whole household."""
            phase = kw.pop("phase", None) or self._phase_for_age(rng, (self.today - opened_on).days)
            client = None if household else members[0]
            spec = CaseSpec(members[0].municipality, opened_on, phase, client, household, **kw)
            for member in members:
                spec.frameworks.update(member._demo_frameworks)
            if household is not None and any(m.household_role == HouseholdRole.CHILD for m in members):
                spec.frameworks.add("sgb-viii")
            if len(spec.frameworks) > 1:
                spec.frameworks.discard("none")
            spec.needs_interpreter = any(m.needs_interpreter for m in members)
            if members[0].residence_valid_until and members[0].residence_status in EXPIRING:
                spec.residence_client = members[0]
            specs.append(spec)

        remaining = self.cases
        while remaining > 0:
            kind = _weighted(rng, {"single": 88, "returning": 4, "household": 3, "family": 4, "head": 1})
            if kind in ("returning", "family") and remaining < 2:
                kind = "single"
            municipality = self._choose_municipality(rng)
            if kind in ("single", "returning"):
                client = self._client(make_person(rng, today=self.today), municipality, rng)
                clients.append(client)
                if kind == "single":
                    spec_for([client], None, self._opened_on(rng))
                else:
                    # Came back after an earlier case was closed; the earlier case stays closed.
                    first_opened = self._opened_on(rng, 420, HISTORY_DAYS)
                    closed_on = min(self.today, first_opened + dt.timedelta(days=rng.randint(60, 300)))
                    spec_for(
                        [client], None, first_opened, phase=Phase.CLOSED, closed_on=closed_on, locked=True
                    )
                    second = min(self.today, closed_on + dt.timedelta(days=rng.randint(30, 240)))
                    spec_for([client], None, second)
                remaining -= 1 if kind == "single" else 2
                continue
            household, members = self._household(rng, municipality, 2 if kind == "family" else 1)
            households.append(household)
            clients.extend(members)
            opened_on = self._opened_on(rng)
            if kind == "household":
                spec_for(members, household, opened_on)
                remaining -= 1
            elif kind == "head":
                spec_for(members[:1], None, opened_on)
                remaining -= 1
            else:
                adults = [
                    m for m in members if m.household_role in (HouseholdRole.HEAD, HouseholdRole.PARTNER)
                ]
                for offset, adult in enumerate(adults[:2]):
                    day = min(self.today, opened_on + dt.timedelta(days=offset * rng.randint(0, 60)))
                    spec_for([adult], None, day)
                remaining -= len(adults[:2])
        self._ensure_every_phase(rng, specs)
        return specs, households, clients

    def _ensure_every_phase(self, rng: random.Random, specs: list[CaseSpec]) -> None:
        """Small runs must still show every phase, so lists and statistics have something in each."""
        if len(specs) < len(Phase):
            return
        for phase in Phase:
            counts = defaultdict(int)
            for spec in specs:
                counts[spec.phase] += 1
            if counts[phase]:
                continue
            candidates = [s for s in specs if not s.locked and counts[s.phase] > 1]
            if candidates:
                rng.choice(candidates).phase = phase

    # --- the life of one case -----------------------------------------------------

    def _path(self, rng: random.Random, phase: str, days: int) -> tuple[list[str], str]:
        """The phases a case went through to reach `phase` in `days`, and the furthest working phase."""
        order = list(ACTIVE_PHASES)
        if phase in ACTIVE_PHASES:
            reached = phase
        elif days < 45:  # a short case ends (or stops) before there is a plan
            reached = _weighted(rng, {"intake": 50, "assessment": 50})
        elif days < 120:
            reached = _weighted(rng, {"intake": 10, "assessment": 35, "planning": 35, "monitoring": 20})
        elif phase == Phase.PAUSED:
            reached = _weighted(rng, {"intake": 5, "assessment": 25, "planning": 30, "monitoring": 40})
        else:
            reached = _weighted(rng, {"intake": 4, "assessment": 12, "planning": 14, "monitoring": 70})
        path = order[: order.index(reached) + 1]
        if reached == Phase.MONITORING and rng.random() < 0.15:
            path += [Phase.PLANNING, Phase.MONITORING]  # the plan was revised
        elif reached == Phase.PLANNING and rng.random() < 0.08:
            path += [Phase.ASSESSMENT, Phase.PLANNING]  # back to clearing after new information
        if phase == Phase.PAUSED:
            path.append(Phase.PAUSED)
        elif phase == Phase.CLOSED:
            if rng.random() < 0.1:
                path += [Phase.PAUSED, reached]
            path.append(Phase.CLOSED)
        return path, reached

    def _closure_reason(self, rng: random.Random, reached: str) -> ClosureReason:
        """Goals are only reached by cases that got as far as carrying out a plan."""
        if reached in (Phase.INTAKE, Phase.ASSESSMENT):
            weights = {
                "Übergabe an Regelangebot / andere Stelle": 40,
                "Wegzug aus dem Kreis": 15,
                "Kontaktabbruch durch Klient/in": 30,
                "Mitwirkung beendet / Einwilligung widerrufen": 8,
                "Verstorben": 0.5,
                "Sonstiger Grund": 6.5,
            }
        elif reached in (Phase.MONITORING, Phase.EVALUATION):
            weights = {
                "Ziele erreicht": 45,
                "Ziele teilweise erreicht": 25,
                "Übergabe an Regelangebot / andere Stelle": 14,
                "Wegzug aus dem Kreis": 6,
                "Kontaktabbruch durch Klient/in": 5,
                "Mitwirkung beendet / Einwilligung widerrufen": 2,
                "Verstorben": 0.5,
                "Sonstiger Grund": 2.5,
            }
        else:
            weights = {
                "Ziele erreicht": 8,
                "Ziele teilweise erreicht": 8,
                "Übergabe an Regelangebot / andere Stelle": 32,
                "Wegzug aus dem Kreis": 14,
                "Kontaktabbruch durch Klient/in": 25,
                "Mitwirkung beendet / Einwilligung widerrufen": 7,
                "Verstorben": 0.5,
                "Sonstiger Grund": 5.5,
            }
        known = {k: v for k, v in weights.items() if k in self.closure_reasons}
        if not known:  # the catalogue was renamed: any reason will do
            return rng.choice(sorted(self.closure_reasons.values(), key=lambda r: r.pk))
        return self.closure_reasons[_weighted(rng, known)]

    def _pick_manager(self, rng: random.Random, managers: list[User]) -> User:
        key = tuple(m.pk for m in managers)
        if key not in self._manager_weights:
            # Part-time staff get fewer cases.
            self._manager_weights[key] = Weights({m: float(m.fte or 0) + 0.05 for m in managers})
        return self._manager_weights[key].pick(rng)

    def _actor_for(self, rng: random.Random, topic: str, municipality: Municipality, authorities_only: bool):
        key = (municipality.pk, topic, authorities_only)
        if key not in self._actor_pools:
            pool = self.actors_by_municipality[municipality.pk]
            if authorities_only:
                pool = [a for a in pool if a.actor_type.name in AUTHORITY_TYPES]
            preferred = [a for a in pool if a.actor_type.name in TOPIC_ACTOR_TYPES.get(topic, ())]
            self._actor_pools[key] = preferred or pool
        choices = self._actor_pools[key]
        return rng.choice(choices) if choices else None

    # --- everything ----------------------------------------------------------------

    def run(self) -> dict[str, int]:
        # Lock the district as `case_open` does, so no case opened meanwhile takes a number.
        District.objects.select_for_update().filter(pk=self.district.pk).first()
        for key in ("users", "actors", "contact_persons"):
            self.counts[key] = 0
        staff = self.ensure_staff()
        actors = self.ensure_actors()
        self.actors_by_municipality: dict[int, list[Actor]] = defaultdict(list)
        self.contact_person_ids: dict[int, list[int]] = {}
        for actor in actors:
            self.contact_person_ids[actor.pk] = [c.pk for c in actor.contact_persons.all()]
            for municipality in actor.municipalities.all():
                self.actors_by_municipality[municipality.pk].append(actor)
        if self.cases <= 0 or not self.regions:
            return dict(self.counts)
        existing_cases = Case.objects.filter(district=self.district).count()
        rng = self.rng("cases", existing_cases)
        specs, households, clients = self.plan_cases(rng)
        self._objects(Household, households, "households")
        self._objects(Client, clients, "clients")
        self._bulk_m2m(
            Client.legal_frameworks,
            [(c.pk, self.frameworks[code].pk) for c in clients for code in c._demo_frameworks],
        )
        self.write_cases(rng, specs, staff)
        return dict(self.counts)


@transaction.atomic
def seed_demo_data(
    *,
    cases: int,
    seed: int = 42,
    district: District | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Create demo staff, actors, clients and `cases` cases in `district`; return the counts."""
    district = district or District.objects.get(key=DEFAULT_DISTRICT_KEY)
    builder = DemoBuilder(
        district=district,
        cases=cases,
        seed=seed,
        today=today or timezone.localdate(),
        now=timezone.now(),
    )
    return builder.run()
