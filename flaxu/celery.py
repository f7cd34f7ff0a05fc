"""The Celery app: JSON only, settings from Django (CELERY_*), schedules in the database (beat)."""

import os

from celery import Celery

import core.broker  # noqa: F401  (registers the embedded broker's URL scheme with kombu)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flaxu.settings")

app = Celery("flaxu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
