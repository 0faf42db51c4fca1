# The production image: gunicorn serves the portal; the same image runs the Celery worker/beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=zhengai.settings

# WeasyPrint's libraries and a TrueType Chinese font to embed in PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-arphic-uming fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY zhengai ./zhengai
COPY indicators ./indicators
COPY schools ./schools
COPY review ./review
RUN pip install .
COPY . .

# The media directory exists, owned by the app user, before the volume mounts on it: a new
# named volume takes its owner from here.
RUN useradd --system --uid 1000 portal && mkdir -p /app/var /app/media \
 && chown portal /app/var /app/media
USER portal

# Static files with the production storage, so the manifest (staticfiles.json) the pages
# need is written. Production settings insist on every secret; none is used or kept here.
RUN DJANGO_ENV=production SECRET_KEY=build-time-only-collectstatic-uses-no-secret-0123456789 \
    ALLOWED_HOSTS=build.invalid PORTAL_BASE_URL=https://build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build REDIS_URL=redis://build.invalid:6379/0 \
    python manage.py collectstatic --noinput -v0

EXPOSE 8000
CMD ["gunicorn", "zhengai.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
