"""Pages of lists that grow to hundreds of thousands of rows.

Django's Paginator counts every matching row and then fetches the page with all its
joins. On a large list both grow with the data: the count reads every row, and the page
query joins and sorts everything before it can skip to the page. `CappedPaginator`
instead

- reads the ids of the first `count_cap` + 1 rows in list order, in one query that the
  database answers from an index: their number is the count ("more than 1,000" is all a
  person needs to know to narrow the filters) and the requested page is a slice of them,
  so count and page cost one query, the same for 1,001 or 1,000,000 matching rows;
- hands only the page's ids to `fetch_rows`, which loads the rows with everything shown.

The page number stays in the URL (bookmarkable, works without JavaScript). Pages beyond the
cap skip rows inside the index (OFFSET over ids only), which stays cheap far beyond the
pages anyone opens by hand; that such a page has rows already says the count is capped.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

DEFAULT_COUNT_CAP = 10_000
ESTIMATE_ABOVE_ROWS = 10_000
MAX_PAGE = 100_000


@dataclass
class CappedPage:
    object_list: list[Any]
    number: int
    per_page: int
    count: int
    count_is_capped: bool
    _has_next: bool = field(repr=False, default=False)

    @property
    def paginator(self) -> "CappedPage":
        # The shared pagination template asks `page_obj.paginator` for the page count.
        return self

    @property
    def num_pages(self) -> int | None:
        if self.count_is_capped:
            return None
        return max(1, -(-self.count // self.per_page))

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def page_number(value: str | None) -> int:
    """The requested page; anything that is no page number in range means the first page."""
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


class CappedPaginator:
    def __init__(
        self,
        queryset: QuerySet,
        per_page: int,
        *,
        fetch_rows: Callable[[list], Iterable],
        count_cap: int = DEFAULT_COUNT_CAP,
    ):
        self.queryset = queryset
        self.per_page = per_page
        self.fetch_rows = fetch_rows
        self.count_cap = count_cap

    def get_page(self, number: str | int | None) -> CappedPage:
        number = page_number(str(number) if number is not None else None)
        offset = (number - 1) * self.per_page
        first: list | None = None  # the first cap + 1 ids, when they were read
        if offset < self.count_cap:
            # The page lies within the counted rows: one query reads the count and the page.
            first = self._ids(0, max(self.count_cap + 1, offset + self.per_page + 1))
        else:
            # Beyond the cap: rows on this page mean more rows than the cap, so nothing to count.
            ids = self._ids(offset, offset + self.per_page + 1)
            if not ids:
                # Past the end of a long list (an old bookmark, a changed filter): its last page,
                # found by counting it once. Rare, and the list is bounded by the user's scope.
                total = self.queryset.order_by().count()
                if total > self.count_cap:
                    number = -(-total // self.per_page)
                    offset = (number - 1) * self.per_page
                    ids = self._ids(offset, offset + self.per_page + 1)
                else:
                    first = self._ids(0, self.count_cap + 1)
        if first is None:
            count, capped = self.count_cap, True
        else:
            count, capped = min(len(first), self.count_cap), len(first) > self.count_cap
            if not capped and offset >= len(first):
                # Past the end of a short list: show its last page instead.
                number = max(1, -(-len(first) // self.per_page))
                offset = (number - 1) * self.per_page
            ids = first[offset : offset + self.per_page + 1]
        has_next = len(ids) > self.per_page
        ids = ids[: self.per_page]
        rows_by_id = {row.pk: row for row in self.fetch_rows(ids)} if ids else {}
        rows = [rows_by_id[pk] for pk in ids if pk in rows_by_id]
        return CappedPage(rows, number, self.per_page, count, capped, has_next)

    def _ids(self, start: int, stop: int) -> list:
        """The ids from position `start` up to `stop` in list order: an index read, no joins."""
        return list(self.queryset.values_list("pk", flat=True)[start:stop])


class EstimatedCountPaginator(Paginator):
    """For Django admin lists of large tables: big counts come from PostgreSQL's estimates.

    `COUNT(*)` reads every matching row: over millions of rows on every page view, and over
    tens of thousands for a search for a common name. Above ESTIMATE_ABOVE_ROWS the list
    shows the planner's estimate instead (the unfiltered table's from its statistics, a
    filtered list's from EXPLAIN); below it, and on other databases, the exact count.
    """

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql":
            estimate = self._estimate(queryset, connection)
            if estimate > ESTIMATE_ABOVE_ROWS:
                return estimate
        return super().count

    @staticmethod
    def _estimate(queryset, connection) -> int:
        with connection.cursor() as cursor:
            if not queryset.query.where:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
                return int(row[0]) if row else 0
            try:
                sql, params = queryset.order_by().values("pk").query.sql_with_params()
            except EmptyResultSet:
                return 0
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])


# Django admin lists of large tables go no deeper than this page: beyond it the OFFSET walks
# hundreds of thousands of index entries (the audit trail's page 10,000: half a second), and
# nobody reads a list that far instead of filtering it.
MAX_ADMIN_PAGE = 200


class CappedAdminPaginator(EstimatedCountPaginator):
    """EstimatedCountPaginator whose pages end at MAX_ADMIN_PAGE.

    A deeper page number shows the last page offered (the admin's own paginator would send
    the user to its "database error" page for a page out of range); the page links end there
    too, and the admin's count still says how many entries there are.
    """

    @cached_property
    def num_pages(self) -> int:
        return min(super().num_pages, MAX_ADMIN_PAGE)

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        return super().validate_number(min(max(number, 1), self.num_pages))
