# syntax=docker/dockerfile:1
# FLAXU production image: one image, every role (web = bin/serve, the Celery workers, beat; see docker-compose.yml).
# Build:  docker build -t flaxu .        Run: see docs/deploy.md

# --- 1. Front-end packages (htmx, lightweight-charts, swagger-ui-dist), as pinned by package-lock.json
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
# --ignore-scripts: the packages are plain files; swagger-ui-dist's @scarf/scarf would phone home.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

# --- 2. Python runtime dependencies in a virtualenv (requirements.txt only, no dev tools) ---------
FROM python:3.11-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt

# --- 3. Runtime ----------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=False

# An unprivileged user; the code stays root-owned (read-only to it), only var/ is writable.
RUN groupadd --system --gid 10001 flaxu \
 && useradd --system --uid 10001 --gid flaxu --home-dir /app --no-create-home --shell /usr/sbin/nologin flaxu

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY --from=assets /build/node_modules ./node_modules
COPY . .
RUN mkdir -p /app/var && chown flaxu:flaxu /app/var

USER flaxu

# Build the hashed, compressed static files (production manifest storage, served by WhiteNoise).
# The secrets below exist only for this step so settings can load; they are not kept in the image.
RUN DEBUG=False \
    SECRET_KEY=collectstatic-build-only-not-a-secret \
    FLAXU_ENCRYPTION_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    python manage.py collectstatic --noinput

EXPOSE 8000

# bin/serve: gunicorn with FLAXU_WEB_PROCESSES uvicorn workers (HTTP + websockets; 2 with REDIS_URL, and
# more than 1 only with it), listening on all interfaces inside the container.
ENV FLAXU_HOST=0.0.0.0 \
    FLAXU_PORT=8000

# Liveness: /healthz answers from the process alone (no database, cache, broker or channel layer), so a
# busy or cut-off backend never gets a working container killed; /readyz is for load balancers. Both are
# answered in front of Django (flaxu/health_asgi.py), so the probe needs no Host or proxy headers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request as r; r.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["bin/serve"]
