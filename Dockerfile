# The Vetted image: one image for web (gunicorn), worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VETTED_VAR_DIR=/var/lib/vetted \
    MEDIA_ROOT=/var/lib/vetted/media

WORKDIR /app

# WeasyPrint (committee minutes as
# PDF) needs Pango; fonts-noto-cjk embeds Chinese glyphs in the PDFs (without it the PDF still
# renders, with empty boxes for Chinese characters).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
# psycopg[binary] brings its own libpq; PyICU (needed by rigour through normality) has no
# wheel and is built against libicu, so the build tools come in for this step only.
COPY requirements.txt .
RUN apt-get update && apt-get install -y --no-install-recommends build-essential pkg-config libicu-dev \
    && pip install -r requirements.txt \
    && apt-get purge -y build-essential pkg-config && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

COPY . .

# Static files are collected into the image; the key exists only for this build step.
RUN DEBUG=0 ALLOWED_HOSTS=localhost \
    SECRET_KEY=build-only-collectstatic-key-never-used-at-runtime-0123456789 \
    python manage.py collectstatic --noinput --verbosity 0

# Run as an unprivileged user; it owns only the data folder (media, beat schedule).
RUN useradd --system --home-dir /var/lib/vetted --shell /usr/sbin/nologin vetted \
    && mkdir -p /var/lib/vetted/media \
    && chown -R vetted:vetted /var/lib/vetted/media \
    && chown vetted:vetted /var/lib/vetted
USER vetted

EXPOSE 8000
# --timeout: a request that has not answered in 60 s is killed and its worker replaced (long work,
# such as importing a list, runs in Celery); --graceful-timeout: a restart lets requests finish for 30 s.
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--graceful-timeout", "30", "--access-logfile", "-"]
