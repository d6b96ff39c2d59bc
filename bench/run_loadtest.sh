#!/usr/bin/env bash
# Seed a PostgreSQL database, start gunicorn on it and run bench/loadtest.py against it.
#   bench/run_loadtest.sh [USERS] [SECONDS] [CASES] [loadtest.py options, e.g. --ramp 30 --think 5]
# SECONDS is the measured window; the logins' ramp (30 s by default) comes before it.
# KIM_LOADTEST_REUSE_DB=1 keeps an existing kim_loadtest database instead of seeding a new one.
# gunicorn runs as scripts/serve runs it: KIM_WORKERS (default 2 × cores + 1) sync workers,
# KIM_THREADS (default 1) threads each. Its error log: /tmp/kim-loadtest-gunicorn.log; its access
# log, with each request's time inside gunicorn (without the wait in the listen queue):
# /tmp/kim-loadtest-access.log.
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-100}"; seconds="${2:-120}"; cases="${3:-10000}"
db="kim_loadtest"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
export SECRET_KEY="loadtest-only-$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false SECURE_COOKIES=false SECURE_HSTS_SECONDS=0
export STATIC_ROOT=/tmp/kim-loadtest-static DJANGO_SETTINGS_MODULE=kim.settings

if [[ "${KIM_LOADTEST_REUSE_DB:-}" == 1 ]] && psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw "$db"; then
  echo "Reusing database $db" >&2
  .venv/bin/python manage.py migrate --noinput -v0
else
  dropdb -h 127.0.0.1 -U postgres --if-exists "$db"
  createdb -h 127.0.0.1 -U postgres "$db"
  .venv/bin/python manage.py migrate --noinput -v0
  .venv/bin/python manage.py seed_demo --cases "$cases" >/dev/null
fi
.venv/bin/python manage.py collectstatic --noinput -v0
workers="${KIM_WORKERS:-$((2 * $(nproc) + 1))}"; threads="${KIM_THREADS:-1}"
: >/tmp/kim-loadtest-gunicorn.log; : >/tmp/kim-loadtest-access.log
.venv/bin/gunicorn kim.wsgi:application --bind 127.0.0.1:8811 --workers "$workers" --threads "$threads" \
  --timeout 60 --error-logfile /tmp/kim-loadtest-gunicorn.log \
  --access-logfile /tmp/kim-loadtest-access.log --access-logformat '%(t)s "%(m)s %(U)s" %(s)s %(M)sms' &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -sf -o /dev/null http://127.0.0.1:8811/anmelden/ && break; sleep 1; done
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u '+%F %H:%M') UTC; $cases cases;" \
  "gunicorn $workers workers x $threads threads" >&2
echo "Before: $(uptime)" >&2
status=0
.venv/bin/python bench/loadtest.py --base http://127.0.0.1:8811 --users "$users" --seconds "$seconds" "${@:4}" || status=$?
echo "After:  $(uptime)" >&2
exit "$status"
