# The dashboard behind gunicorn: docker build -t mastra-dashboard . (see README "Deploy").
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=dashboard.settings \
    DJANGO_STATIC_ROOT=/app/staticfiles

WORKDIR /app

# Dependencies first (cached while only the code changes), pinned by constraints.txt.
COPY pyproject.toml constraints.txt README.md ./
COPY dashboard/__init__.py dashboard/__init__.py
COPY storeclient/__init__.py storeclient/__init__.py
RUN pip install -c constraints.txt .

COPY manage.py gunicorn.conf.py ./
COPY dashboard dashboard
COPY storeclient storeclient
COPY templates templates
COPY static static
COPY scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# The installed copy of the project (for its dependencies) goes; the code in /app is what runs.
RUN pip uninstall -y mastra-dashboard

# Hashed, compressed static files, built once into the image. The key only satisfies the settings
# check during the build; it is not kept in the image.
RUN DJANGO_SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput

# A user without a home or a shell; var/ holds the SQLite database when DATABASE_URL is not set
# (mount a volume there, or better use PostgreSQL).
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin dashboard \
    && mkdir -p /app/var && chown dashboard:dashboard /app/var
USER dashboard

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
