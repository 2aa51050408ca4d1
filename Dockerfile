# Hegyvidék e-Portal images. One Dockerfile, three stages, two images:
#
#   frontend  node:20      npm ci && npm run build            -> /src/frontend/dist
#   app       python:3.11  Django app + collected static files + the SPA build
#             (used by the migrate, web, worker and scheduler services)
#   proxy     caddy:2      Caddyfile + the same SPA build (served directly by Caddy)
#
# Build both:  docker compose build
# By hand:     docker build --target app   -t hegyvidek-eportal:latest .
#              docker build --target proxy -t hegyvidek-eportal-proxy:latest .
#
# The SPA is baked into the proxy image (not shared through a volume): a named volume is
# filled from an image only when the volume is first created, so after an upgrade it would
# keep serving the old SPA. Baking it in keeps the SPA and the API of one release together.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim
ARG CADDY_IMAGE=caddy:2


# --- 1. SPA build -------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build


# --- 2. Django application ------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_NO_CACHE=1 \
    DJANGO_SETTINGS_MODULE=backend.settings \
    DATA_DIR=/data \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles \
    SPA_DIST_DIR=/app/frontend/dist

WORKDIR /app

# Dependencies first (cached until requirements.lock changes); every package is hash-checked.
COPY requirements.lock ./
RUN pip install uv==0.13.8 \
 && uv pip install --system --require-hashes -r requirements.lock

# Unprivileged runtime user; /data/media becomes the media volume (a new named volume takes
# the owner of this directory, so the app can write to it).
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
 && mkdir -p /data/media \
 && chown -R app:app /data

COPY --chown=app:app . .
COPY --from=frontend --chown=app:app /src/frontend/dist /app/frontend/dist

# Static files are collected at build time. Settings refuse to load without SECRET_KEY and
# FIELD_ENCRYPTION_KEYS when DEBUG is off, and start an embedded PostgreSQL when DATABASE_URL
# is unset, so build-only dummies are passed to this one command (they are not kept in the
# image). collectstatic does not connect to the database.
RUN DEBUG=0 \
    SECRET_KEY=build-only-not-a-secret \
    FIELD_ENCRYPTION_KEYS=Ww7wZp1sY3kJQm1u3lH2c8b0r6Q9d5fX2nV4tA7yE0g= \
    DATABASE_URL=postgres://build@127.0.0.1:1/build \
    python manage.py collectstatic --noinput \
 && chown -R app:app /app/staticfiles

USER app
EXPOSE 8000

# The web command; docker-compose.yml sets the command of migrate, worker and scheduler.
CMD ["sh", "-c", "exec gunicorn backend.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]


# --- 3. Reverse proxy with the SPA -----------------------------------------------------------------
FROM ${CADDY_IMAGE} AS proxy
COPY deploy/Caddyfile /etc/caddy/Caddyfile
COPY --from=frontend /src/frontend/dist /srv/spa
