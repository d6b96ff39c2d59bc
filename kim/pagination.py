"""Pages of lists that grow to hundreds of thousands of rows.

Django's Paginator counts every matching row and then fetches the page with all its
joins. On a large list both grow with the data: the count reads every row, and the page
query joins and sorts everything before it can skip to the page. `CappedPaginator`
instead

- counts at most `count_cap` + 1 rows ("more than 10,000" is all a person needs to know
  to narrow the filters), so the count costs the same for 10,001 or 1,000,000 rows;
- reads the ids of one page (plus one, to know whether a next page exists) from the
  filtered and ordered queryset, which the database answers from an index;
- hands only those ids to `fetch_rows`, which loads the rows with everything shown.

The page number stays in the URL (bookmarkable, works without JavaScript). Deep pages
skip rows inside the index (OFFSET over ids only), which stays cheap far beyond the
pages anyone opens by hand.
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

    def count(self) -> tuple[int, bool]:
        """The number of rows, exact up to the cap; True as second value when capped."""
        counted = self.queryset.order_by()[: self.count_cap + 1].count()
        return min(counted, self.count_cap), counted > self.count_cap

    def get_page(self, number: str | int | None) -> CappedPage:
        number = page_number(str(number) if number is not None else None)
        if number == 1:
            ids, has_next = self._ids(number)
            # The whole list on the first page: nothing to count.
            count, capped = (len(ids), False) if not has_next else self.count()
        else:
            count, capped = self.count()
            if not capped and count <= (number - 1) * self.per_page:
                # Past the end (an old bookmark, a changed filter): show the last page instead.
                number = max(1, -(-count // self.per_page))
            ids, has_next = self._ids(number)
        rows_by_id = {row.pk: row for row in self.fetch_rows(ids)} if ids else {}
        rows = [rows_by_id[pk] for pk in ids if pk in rows_by_id]
        return CappedPage(rows, number, self.per_page, count, capped, has_next)

    def _ids(self, number: int) -> tuple[list, bool]:
        offset = (number - 1) * self.per_page
        ids = list(self.queryset.values_list("pk", flat=True)[offset : offset + self.per_page + 1])
        return ids[: self.per_page], len(ids) > self.per_page


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
