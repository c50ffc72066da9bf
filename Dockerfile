# Production image: gunicorn serving the app, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 psp

WORKDIR /app
COPY pyproject.toml README.md ./
COPY psp/__init__.py psp/__init__.py
# PSP_EXTRAS=s3 adds django-storages, for families' documents in an S3-compatible bucket.
ARG PSP_EXTRAS=""
RUN pip install --upgrade pip && pip install ".${PSP_EXTRAS:+[$PSP_EXTRAS]}"
COPY . .
RUN pip install --no-deps -e . \
    && DEBUG=true python manage.py collectstatic --noinput \
    && chown -R psp:psp /app

USER psp
EXPOSE 8000
CMD ["gunicorn", "psp.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
