"""/healthz as a load balancer or the container HEALTHCHECK sees it: real checks, real failures."""

from __future__ import annotations

import pytest

# django-health-check 4.x names each check by its repr in the JSON body: {"<repr>": "OK" | "<error>"}.
DATABASE = "Database(alias='default')"
CACHE = "Cache(alias='default')"
BROKER = "Broker()"
CHANNEL_LAYER = "ChannelLayer()"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens, connections are refused


def get_health(client, **headers):
    return client.get("/healthz", HTTP_ACCEPT="application/json", **headers)


@pytest.mark.django_db
def test_healthz_reports_every_backend_ok(client):
    response = get_health(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {DATABASE: "OK", CACHE: "OK", BROKER: "OK", CHANNEL_LAYER: "OK"}
    # A probe must never get a cached answer.
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_and_names_the_cache_when_redis_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}
    }

    response = get_health(client)

    assert response.status_code == 503
    body = response.json()
    assert body[CACHE] != "OK"
    assert "Connection Error" in body[CACHE]
    assert body[DATABASE] == "OK"
    assert body[BROKER] == "OK"


@pytest.mark.django_db
def test_healthz_is_503_and_names_the_channel_layer_when_its_redis_is_unreachable(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [UNREACHABLE_REDIS]}}
    }

    response = get_health(client)

    assert response.status_code == 503
    body = response.json()
    assert body[CHANNEL_LAYER].startswith("Unavailable: channel layer unreachable"), body
    assert body[DATABASE] == "OK"
    assert body[CACHE] == "OK"


@pytest.mark.django_db
def test_healthz_answers_the_container_probe_behind_https_redirect_and_host_checks(client, settings):
    """The Dockerfile's HEALTHCHECK sends a Host from ALLOWED_HOSTS and X-Forwarded-Proto: https."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["flaxu.example.com"]

    probe = get_health(client, HTTP_HOST="flaxu.example.com", HTTP_X_FORWARDED_PROTO="https")
    assert probe.status_code == 200
    assert set(probe.json().values()) == {"OK"}

    # Without those headers the same request would be redirected or refused, failing the probe.
    assert get_health(client, HTTP_HOST="flaxu.example.com").status_code == 301
    assert get_health(client, HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https").status_code == 400
