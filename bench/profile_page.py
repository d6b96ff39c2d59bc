"""Where a page's Python time goes: pyinstrument over N requests of one page, in-process.

Usage (on the benchmark data set):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kim_bench .venv/bin/python bench/profile_page.py \
        /faelle/ [--user cm|koord|admin] [--requests 50] [--html /tmp/profile.html]

The page is requested through Django's whole stack, as bench/benchmark.py does (DEBUG off,
cached templates), after two warm-up requests; the profile covers only the measured requests
and is printed as pyinstrument's call tree (time in SQL shows under the database driver's
`execute`; the rest is Python and rendering). Writes are rolled back.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path")
    parser.add_argument("--user", default="cm", choices=["cm", "koord", "admin"])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML report here")
    args = parser.parse_args()

    from bench import benchmark

    benchmark.configure_django()
    from django.db import transaction
    from pyinstrument import Profiler

    _users, clients = benchmark.benchmark_users(benchmark.dataset_info())
    client = clients[args.user]
    with transaction.atomic():
        for _ in range(2):
            client.get(args.path)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.requests):
            response = client.get(args.path)
        profiler.stop()
        transaction.set_rollback(True)
    print(f"{args.path} as {args.user}: status {response.status_code}, {args.requests} requests")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")


if __name__ == "__main__":
    main()
