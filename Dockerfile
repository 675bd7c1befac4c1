# The image behind web, worker and beat in docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# fonts-noto-cjk: Chinese text on share posters and demo pictures
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collected with the production settings (hashed, compressed names for whitenoise);
# the values below exist only for this build step
RUN DJANGO_SETTINGS_MODULE=socialshop.settings.production SECRET_KEY=collectstatic-only \
    ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 PAYMENT_SANDBOX_IN_PRODUCTION=true SMS_CONSOLE_IN_PRODUCTION=true \
    python manage.py collectstatic --noinput --verbosity 0 \
 && useradd --create-home --uid 10001 app \
 && mkdir -p /app/media \
 && chown -R app /app/media

USER app
EXPOSE 8000
CMD ["gunicorn", "socialshop.wsgi", "--config", "gunicorn.conf.py"]
