import pytest
from django.core import serializers
from django.db.models import Max

from audit.models import AuditEntry


class Trail:
    """The audit entries written since the fixture was set up (or since `mark()`)."""

    def __init__(self):
        self.mark()

    def mark(self) -> None:
        self.since = AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0

    def new(self) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(id__gt=self.since).order_by("id"))

    def one(self) -> AuditEntry:
        entries = self.new()
        assert len(entries) == 1, [(str(entry), entry.fields) for entry in entries]
        return entries[0]


@pytest.fixture
def trail(db) -> Trail:
    return Trail()


def serialized_trail() -> str:
    """Every audit row as JSON: where a leaked value would show."""
    return serializers.serialize("json", AuditEntry.objects.all())
