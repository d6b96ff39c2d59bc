"""A small run of bench/benchmark.py, so the benchmark cannot rot: every measured page answers,
and the case list keeps within its query budget on a data set built by bench/build_dataset.py.
Times are not asserted here: they are measured by the benchmark on the full data set."""

import io

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_measured_page_answers_within_its_query_budget(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip(
            "bench/build_dataset.py generates its rows with PostgreSQL SQL; this database is not PostgreSQL"
        )
    from bench import benchmark, build_dataset

    info = build_dataset.build(0.001, stdout=io.StringIO(), info_path=tmp_path / "dataset.json")
    settings.ROOT_URLCONF = benchmark.install_stock_admin()

    results = benchmark.run(requests=2, stdout=io.StringIO(), info=info)

    assert len(results) == len(benchmark.pages(info, benchmark.benchmark_users(info)[0]))
    for measurement in results:
        assert measurement.status == 200, measurement.page
        if measurement.page.max_queries is not None:
            assert measurement.queries <= measurement.page.max_queries, measurement.page
    report = benchmark.report(results, benchmark.measure_audit_write(info_user(info)), {"cases": 1000}, 2)
    assert "Fallliste: Seite 1.000" in report and "Stock-Admin" in report


def info_user(info):
    from accounts.models import User

    return User.objects.get(username=info["users"]["case_manager"])
