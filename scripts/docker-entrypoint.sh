#!/bin/sh
# Container start: apply the dashboard's database migrations (idempotent; turn off with
# DJANGO_MIGRATE_ON_START=False when a release step runs them), then run the given command
# (gunicorn by default). `docker run IMAGE mastra-dashboard manage ensure_admin` and other one-off
# commands skip the migration unless they are gunicorn.
set -eu
if [ "${1:-}" = "gunicorn" ]; then
  case "${DJANGO_MIGRATE_ON_START:-True}" in
    [Tt]rue|1|[Yy]es|[Oo]n) mastra-dashboard migrate --noinput ;;
  esac
fi
exec "$@"
