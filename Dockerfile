# The dashboard behind gunicorn: docker build -t mastra-dashboard . (see README "Deploy").
# One Python for the tests (.python-version) and the image; a full tag, never a floating one.
FROM python:3.12.12-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=dashboard.settings \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    MASTRA_DASHBOARD_DATA_DIR=/app/var

WORKDIR /app

# Dependencies first (cached while only the code changes), pinned by constraints.txt: the project
# with empty packages, so that only its dependencies (and the sentry extra) are worth keeping.
COPY pyproject.toml constraints.txt README.md /src/
COPY dashboard/__init__.py /src/dashboard/__init__.py
COPY storeclient/__init__.py /src/storeclient/__init__.py
RUN mkdir /src/templates /src/static && pip install -c /src/constraints.txt "/src[sentry]"

# Then the dashboard itself, installed as the wheel a user gets (templates and static files inside
# the package, the `mastra-dashboard` command); no source tree is left in the image.
COPY dashboard /src/dashboard
COPY storeclient /src/storeclient
COPY templates /src/templates
COPY static /src/static
RUN pip install --no-deps --force-reinstall /src && rm -rf /src
COPY scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# `python manage.py ...` keeps working in the container (the same commands as `mastra-dashboard manage`).
COPY manage.py ./

# Hashed, compressed static files, built once into the image. The key only satisfies the settings
# check during the build; it is not kept in the image.
RUN DJANGO_SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    mastra-dashboard manage collectstatic --noinput

# A user without a home or a shell; var/ holds the SQLite database when DATABASE_URL is not set
# (mount a volume there, or better use PostgreSQL).
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin dashboard \
    && mkdir -p /app/var && chown dashboard:dashboard /app/var
USER dashboard

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["gunicorn", "-c", "python:dashboard.gunicorn_conf"]
