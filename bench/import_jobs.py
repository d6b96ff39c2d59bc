"""Import jobs in a real Celery worker: seconds and the worker's peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kim_x CELERY_BROKER_URL=redis://127.0.0.1:6379/14 \
        .venv/bin/python bench/import_jobs.py --user admin [--report bench/RESULTS.md]

Each measurement starts a fresh worker (solo pool, so the task runs in the worker process and
its peak resident memory, VmHWM, is the job's), hands it one job through Redis, and waits for
it. The files are made on the fly (tests/exchange/crafted.py). Real runs import into the
database named by DATABASE_URL: use a scratch database, never production.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kim.settings")
os.environ.setdefault("KIM_PROCESS_KIND", "job")
os.environ.setdefault("DEBUG", "true")
QUEUE = f"kim-bench-{uuid.uuid4().hex[:8]}"
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from accounts.models import User  # noqa: E402
from jobs import services as jobs  # noqa: E402
from jobs.models import JobKind  # noqa: E402
from tests.exchange.crafted import client_csv  # noqa: E402


def client_xlsx(rows: int, prefix: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Klienten")
    sheet.append(["externe_id", "vorname", "nachname", "kommune", "geburtsdatum"])
    for n in range(1, rows + 1):
        sheet.append([f"{prefix}-{n:06d}", f"Vorname{n}", f"Nachname{n}", "Coesfeld", "01.01.1990"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def start_worker(env_extra: dict) -> subprocess.Popen:
    log = open(f"/tmp/{QUEUE}.log", "wb")  # noqa: SIM115 - closed with the process
    env = {**os.environ, **env_extra}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kim",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--queues",
            QUEUE,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname",
            f"{QUEUE}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    until = time.monotonic() + 60
    while " ready." not in Path(log.name).read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > until:
            raise SystemExit(Path(log.name).read_text(errors="replace")[-3000:])
        time.sleep(0.1)
    return process


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(
    label: str, *, user, data: bytes, filename: str, kind: str, env_extra: dict | None = None
) -> dict:
    worker = start_worker(env_extra or {})
    baseline = peak_mb(worker.pid)
    try:
        stored = jobs.store_file(prefix="imports", data=data)
        job = jobs.job_create(
            kind=kind,
            owner=user,
            params={"kind": "klientinnen", "district_id": None},
            input_name=filename,
            input_file=stored,
        )
        from exchange.tasks import import_job

        started = time.monotonic()
        import_job.apply_async(args=(str(job.pk),), queue=QUEUE)
        while True:
            job.refresh_from_db()
            if job.is_finished:
                break
            if worker.poll() is not None:
                raise SystemExit(f"worker died during {label}")
            time.sleep(0.2)
        wall = time.monotonic() - started
        peak = peak_mb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    task_seconds = (job.finished_at - job.started_at).total_seconds()
    result = job.result.get("rows", [])
    outcome = job.error or f"{len(result)} rows reported"
    return {
        "label": label,
        "bytes": len(data),
        "task_s": task_seconds,
        "wall_s": wall,
        "baseline_mb": baseline,
        "peak_mb": peak,
        "outcome": outcome[:110],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", required=True, help="a Koordination account or superuser")
    parser.add_argument("--report", help="append the results as a section to this Markdown file")
    args = parser.parse_args()
    if not settings.CELERY_BROKER_URL:
        raise SystemExit("CELERY_BROKER_URL must name a Redis")
    user = User.objects.get(username=args.user)
    tag = uuid.uuid4().hex[:6].upper()
    csv_4999 = client_csv(4999, prefix=f"B{tag}")
    xlsx_50k = client_xlsx(50000, prefix=f"X{tag}")
    csv_50k = client_csv(50000, prefix=f"C{tag}")
    raised = {"KIM_IMPORT_MAX_ROWS": "50000", "KIM_IMPORT_MAX_BYTES": str(50 * 2**20)}
    runs = [
        measure(
            "4,999-row CSV, dry run", user=user, data=csv_4999, filename="k.csv", kind=JobKind.IMPORT_DRY_RUN
        ),
        measure(
            "4,999-row CSV, real run (all new)",
            user=user,
            data=csv_4999,
            filename="k.csv",
            kind=JobKind.IMPORT,
        ),
        measure(
            "50,000-row XLSX, dry run (default limits: refused)",
            user=user,
            data=xlsx_50k,
            filename="k.xlsx",
            kind=JobKind.IMPORT_DRY_RUN,
        ),
        measure(
            "50,000-row CSV, dry run (default limits: refused)",
            user=user,
            data=csv_50k,
            filename="k.csv",
            kind=JobKind.IMPORT_DRY_RUN,
        ),
        measure(
            "50,000-row XLSX, dry run, limits raised to 50,000 rows",
            user=user,
            data=xlsx_50k,
            filename="k.xlsx",
            kind=JobKind.IMPORT_DRY_RUN,
            env_extra=raised,
        ),
    ]
    lines = [
        "| run | file | task (s) | until seen done (s) | worker idle → peak RSS (MB) | outcome |",
        "|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r['label']} | {r['bytes'] / 1024:,.0f} KB | {r['task_s']:.1f} | {r['wall_s']:.1f} | "
            f"{r['baseline_mb']:.0f} → {r['peak_mb']:.0f} | {r['outcome']} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.report:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        with open(args.report, "a") as report:
            report.write(
                f"\n\n## Import jobs in the worker, {stamp}, on commit {commit} (bench/import_jobs.py)\n\n"
            )
            report.write(table + "\n")


if __name__ == "__main__":
    main()
