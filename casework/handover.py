"""Bulk handover: what the preview shows before Koordination confirms, and what the result
page shows after. The receiver's load is counted as the team capacity page counts it: active
cases (Zugang to Evaluation) per full-time post (VZÄ)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from accounts.models import User

from .lifecycle import ACTIVE_PHASES
from .models import Case

PREVIEW_LIST_LIMIT = 100


def per_fte(count: int, fte: Decimal | None) -> Decimal | None:
    if not fte:
        return None
    return (Decimal(count) / fte).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ReceiverLoad:
    """A receiver's active cases and cases per full-time post, before and after the handover."""

    name: str
    fte: Decimal
    before: int
    after: int

    @property
    def before_per_fte(self) -> Decimal | None:
        return per_fte(self.before, self.fte)

    @property
    def after_per_fte(self) -> Decimal | None:
        return per_fte(self.after, self.fte)


def receiver_load(receiver: User, *, adding: int = 0) -> ReceiverLoad:
    before = Case.objects.filter(case_manager=receiver, phase__in=ACTIVE_PHASES).count()
    return ReceiverLoad(name=str(receiver), fte=receiver.fte, before=before, after=before + adding)


@dataclass(frozen=True)
class HandoverPreview:
    count: int
    active: int
    references: list[tuple[int, str]]
    load: ReceiverLoad


def handover_preview(cases: QuerySet[Case], receiver: User) -> HandoverPreview:
    count = cases.count()
    active = cases.filter(phase__in=ACTIVE_PHASES).count()
    references = list(cases.order_by("reference").values_list("pk", "reference")[:PREVIEW_LIST_LIMIT])
    return HandoverPreview(
        count=count, active=active, references=references, load=receiver_load(receiver, adding=active)
    )
