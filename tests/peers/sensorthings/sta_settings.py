"""A minimal Django project serving the OGC SensorThings API 1.1 (django-ogc-sensorthings) from
SQLite, for CityWall's tests. The database path and port come from the environment."""
import os
import uuid

SECRET_KEY = "citywall-tests-only"
DEBUG = os.environ.get("STA_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "sensorthings.versions.v1_1",
    "sensorthings.versions.v1_1.backends.django",
]
MIDDLEWARE = []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("STA_DB", "sta.sqlite3")}}
ROOT_URLCONF = "sta_urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SENSORTHINGS_V1_1_BACKEND_ADAPTER = "sensorthings.versions.v1_1.backends.django.adapter.DjangoBackendAdapter"
SENSORTHINGS_V1_1_SERVICE_URL = os.environ.get("STA_URL", "")
SENSORTHINGS_V1_1_DOCS_ENABLED = False
SENSORTHINGS_V1_1_ID_TYPE = uuid.UUID
