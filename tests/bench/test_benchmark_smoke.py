"""A small run of bench/benchmark.py, so the benchmark cannot rot: every page it discovers
answers, and keeps within its query budget, on a data set built by bench/build_dataset.py. A
page whose queries grow with the rows it shows (an inline or a column without its join) breaks
its budget here already. Times are not asserted here: they are measured by the benchmark on
the full data set."""

import io
import time

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


# Known failure at 2026-12-04 integration: bench/build_dataset.py does not yet rebuild the indexes
# that the client-list and cycle migrations (casework 0017, 0018) added. Fix the build, then remove.
@pytest.mark.xfail(
    reason="build_dataset's index set lags casework 0017/0018 (see issue 20 note)", strict=False
)
def test_every_discovered_page_answers_within_its_query_budget(tmp_path, settings, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "bench/build_dataset.py generates its rows with PostgreSQL SQL; this database is not PostgreSQL"
        )
    from bench import benchmark, build_dataset, discover

    info = build_dataset.build(0.001, stdout=io.StringIO(), info_path=tmp_path / "dataset.json")
    settings.ROOT_URLCONF = benchmark.install_stock_admin()
    # One request per page without a warm-up: the session's once-a-minute refresh write
    # (kim.middleware) would land on whichever page comes after the minute.
    monkeypatch.setattr("kim.middleware.SESSION_REFRESH_SECONDS", 24 * 3600)

    started = time.perf_counter()
    # Every page and every admin, none of their variants, to stay fast; the
    # benchmark itself follows them all.
    quick = {"roles": ("koord",), "max_variants": 0}
    results = benchmark.run(
        requests=1, warmup=0, floor=False, cpu=False, stdout=io.StringIO(), info=info, discover=quick
    )
    discovery = benchmark.run.discovery
    print(f"{len(results)} pages in {time.perf_counter() - started:.1f} s")
    for m in sorted(results, key=lambda m: -sum(m.totals))[:15]:
        print(f"{sum(m.totals):.2f} {m.page.url}")

    assert not [name for name in discovery.unfilled if discover.UNKNOWN_ID in name]
    assert not [r for r in discovery.refused if r.status >= 500]
    broken = [
        (m.page.user, m.page.url, m.status, m.queries, m.page.max_queries)
        for m in results
        if m.status != 200 or (m.page.max_queries is not None and m.queries > m.page.max_queries)
    ]
    assert not broken, broken
    urls = [m.page.url for m in results if m.page.discovered]
    # What the discovery finds by itself: the admin's large objects and the statistics' scopes
    # among the pages measured here; sorts, filters, searches and deep pages among the variants.
    assert f"/admin/casework/case/{info['designated_case']['pk']}/change/" in urls
    assert any(url.startswith("/statistik/?") and "scope=kreis" in url and "range" in url for url in urls)
    assert all(m.rows_examined is not None for m in results if m.status == 200 and m.page.discovered)
    _users, clients = benchmark.benchmark_users(info)
    for path in ("/klienten/", "/admin/casework/case/"):
        html = clients["admin" if "admin" in path else "koord"].get(path).content.decode()
        found = discover.variants(path, html, searches=["a", "er"])
        assert "q=a" in found and "q=er" in found, found
        assert ("p=1000" if "admin" in path else "page=1000") in found
    admin_case = discover.variants("/admin/casework/case/", html, searches=[])
    assert any(query.startswith("o=") for query in admin_case), admin_case
    assert any("__" in query for query in admin_case), admin_case

    report = benchmark.report(results, [], {"cases": 1000}, 1, discovery=discovery)
    assert "Fallliste: Seite 1.000" in report and "Stock-Admin" in report
