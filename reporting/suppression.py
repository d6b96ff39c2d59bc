"""Small-count suppression: the rule that keeps people from being recognised in figures.

In anything that leaves the system (CSV, XLSX, the printed report) a count from 1
up to `KIM_STATISTICS_MIN_COUNT` − 1 is replaced by "<N" (N being the threshold).
Zero stays 0: that nobody is in a category identifies nobody, and "<3" for zero
would only make tables harder to read. Values derived from a small count (an
average over fewer cases, a change against a suppressed value) are withheld too.
On screen, authorised staff see exact numbers, with small cells marked.
"""

from decimal import Decimal

from django.conf import settings

WITHHELD = "–"


def min_count() -> int:
    return settings.KIM_STATISTICS_MIN_COUNT


def is_small(count: int | None) -> bool:
    return count is not None and 0 < count < min_count()


def small_label() -> str:
    return f"<{min_count()}"


def suppress(count: int) -> int | str:
    """The count as it may be exported: the number, or "<N" for a small one."""
    return small_label() if is_small(count) else count


def suppress_derived(value: Decimal | None, *, basis: int) -> Decimal | str | None:
    """A value computed from `basis` cases (an average): withheld when the basis is small."""
    if value is None:
        return None
    return WITHHELD if is_small(basis) else value
