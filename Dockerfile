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

RUN useradd --system --uid 1000 portal && mkdir -p /app/var && chown portal /app/var
USER portal

# collectstatic needs settings but no database or secret worth keeping.
RUN DJANGO_ENV=development python manage.py collectstatic --noinput -v0

EXPOSE 8000
CMD ["gunicorn", "zhengai.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
