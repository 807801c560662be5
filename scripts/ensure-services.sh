#!/usr/bin/env bash
# Postgres and Redis normally run before a session starts; start them if they do not answer.
set -euo pipefail
PGHOST=${PGHOST:-127.0.0.1}; PGPORT=${PGPORT:-5432}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}; REDIS_PORT=${REDIS_PORT:-6379}

wait_for() { # name, command...
  local name=$1; shift
  for _ in $(seq 1 30); do "$@" >/dev/null 2>&1 && { echo "$name is up"; return 0; }; sleep 1; done
  echo "$name did not come up"; return 1
}

if ! pg_isready -h "$PGHOST" -p "$PGPORT" >/dev/null 2>&1; then
  echo "Postgres is not answering on $PGHOST:$PGPORT; starting it"
  (service postgresql start || pg_ctlcluster 15 main start) >/dev/null 2>&1 || true
  wait_for Postgres pg_isready -h "$PGHOST" -p "$PGPORT"
else
  echo "Postgres is up"
fi

if ! redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "Redis is not answering on $REDIS_HOST:$REDIS_PORT; starting it"
  (service redis-server start || redis-server --daemonize yes --port "$REDIS_PORT") >/dev/null 2>&1 || true
  wait_for Redis redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping
else
  echo "Redis is up"
fi
