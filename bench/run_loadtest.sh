#!/usr/bin/env bash
# Seed a PostgreSQL database, start gunicorn on it and run bench/loadtest.py against it.
#   bench/run_loadtest.sh [USERS] [SECONDS] [CASES]
set -euo pipefail
cd "$(dirname "$0")/.."
users="${1:-100}"; seconds="${2:-120}"; cases="${3:-10000}"
db="kim_loadtest"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
export SECRET_KEY="loadtest-only-$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false SECURE_COOKIES=false SECURE_HSTS_SECONDS=0
export STATIC_ROOT=/tmp/kim-loadtest-static DJANGO_SETTINGS_MODULE=kim.settings

dropdb -h 127.0.0.1 -U postgres --if-exists "$db"
createdb -h 127.0.0.1 -U postgres "$db"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_demo --cases "$cases" >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn kim.wsgi:application --bind 127.0.0.1:8811 --workers 4 --threads 4 --timeout 60 \
  --access-logfile /dev/null --error-logfile /tmp/kim-loadtest-gunicorn.log &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -sf -o /dev/null http://127.0.0.1:8811/anmelden/ && break; sleep 1; done
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F); $cases cases" >&2
.venv/bin/python bench/loadtest.py --base http://127.0.0.1:8811 --users "$users" --seconds "$seconds" "${@:4}"
