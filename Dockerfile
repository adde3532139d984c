# One image for web, worker and beat (see docker-compose.yml).
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
COPY assets assets
# Workbox (a build-time tool) builds the service worker, then only the runtime packages stay.
RUN npm ci --no-audit --no-fund && node assets/build-service-worker.mjs && npm prune --omit=dev

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core shared-mime-info \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 app
WORKDIR /app
COPY pyproject.toml README.md ./
COPY foundation foundation
COPY arras_quartiers arras_quartiers
COPY teams teams
COPY observations observations
COPY meetings meetings
COPY diagnostics diagnostics
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /app/node_modules node_modules
COPY --from=assets /app/build build
RUN DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R app:app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "arras_quartiers.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
