"""Production start-up as an operator meets it: `manage.py` run in a fresh process with production env.

Each test starts `manage.py` in a subprocess (pytest is not imported there, so the settings take their
production branches) with its own FLAXU_VAR_DIR, and asserts on exit code and printed output.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "flaxu" / "settings.py"

# Variables the settings read, found in the source so a new one cannot go undocumented.
_ENV_READ = re.compile(r"""\b(?:env|Env\(\))(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")
# Read by the settings but deliberately not offered to operators.
_NOT_FOR_OPERATORS = {"FLAXU_TESTING"}


def settings_env_names() -> set[str]:
    return set(_ENV_READ.findall(SETTINGS.read_text())) - _NOT_FOR_OPERATORS


def generated_encryption_keys() -> str:
    return "k1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def production_env(var_dir: Path, **overrides: str | None) -> dict[str, str]:
    """The caller's environment minus every FLAXU setting, plus a complete production configuration.

    DATABASE_URL and REDIS_URL are kept so the check runs against the backends of the current test mode.
    An override of None removes that variable.
    """
    keep = {"DATABASE_URL", "REDIS_URL"}
    env = {k: v for k, v in os.environ.items() if k not in settings_env_names() - keep and k != "FLAXU_TESTING"}
    env.update(
        {
            "FLAXU_VAR_DIR": str(var_dir),
            "DEBUG": "False",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "flaxu.example.com",
            "FLAXU_ENCRYPTION_KEYS": generated_encryption_keys(),
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_configuration_passes_the_deploy_checks_without_a_warning(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in output.upper()


@pytest.mark.parametrize(
    ("override", "warning"),
    [
        ({"SECURE_SSL_REDIRECT": "False"}, "security.W008"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECRET_KEY": "too-short"}, "security.W009"),
    ],
)
def test_deploy_check_fails_when_an_operator_weakens_https_or_the_secret(tmp_path, override, warning):
    result = manage(production_env(tmp_path, **override), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert warning in result.stderr


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_production_refuses_to_start_without_encryption_keys(tmp_path, value):
    result = manage(production_env(tmp_path, FLAXU_ENCRYPTION_KEYS=value), "check")

    assert result.returncode != 0
    assert "FLAXU_ENCRYPTION_KEYS must be set when DEBUG is False" in result.stderr
    # No development key is quietly generated instead.
    assert not (tmp_path / "encryption_keys").exists()


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_production_refuses_to_start_without_a_secret_key(tmp_path, value):
    result = manage(production_env(tmp_path, SECRET_KEY=value), "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is False" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_collectstatic_builds_the_production_manifest_with_our_and_npm_assets(tmp_path):
    """What the Dockerfile's build step runs: hashed, compressed files for WhiteNoise."""
    env = production_env(
        tmp_path,
        SECRET_KEY="collectstatic-build-only-not-a-secret",
        FLAXU_ENCRYPTION_KEYS="build:" + base64.urlsafe_b64encode(bytes(32)).decode(),
        ALLOWED_HOSTS=None,
    )
    result = manage(env, "collectstatic", "--noinput")
    assert result.returncode == 0, result.stdout + result.stderr

    static_root = tmp_path / "staticfiles"
    paths = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    hashed_css = paths["css/flaxu.css"]
    assert hashed_css != "css/flaxu.css"
    assert (static_root / hashed_css).is_file()
    assert (static_root / f"{hashed_css}.gz").is_file()
    assert "js/flaxu.js" in paths
    for package in json.loads((ROOT / "package.json").read_text())["dependencies"]:
        assert any(name.startswith(f"vendor/{package}/") for name in paths), package


def test_env_example_documents_every_setting_and_leaves_secrets_blank():
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))

    assert settings_env_names() - documented == set()
    compose = (ROOT / "docker-compose.yml").read_text()
    assert set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose)) - documented == set()
    # Blank required secrets make a forgotten one stop start-up instead of running with a known value.
    for secret in ("SECRET_KEY", "FLAXU_ENCRYPTION_KEYS", "POSTGRES_PASSWORD"):
        assert re.search(rf"^{secret}=$", example, flags=re.MULTILINE), secret


def test_compose_starts_the_app_only_after_migrations_and_healthy_backends():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

    for name in ("web", "worker-prices", "worker", "worker-bulk", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://"), name
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://redis:"), name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "migrate" in services["migrate"]["command"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in " ".join(services["beat"]["command"])
    for backend in ("postgres", "redis"):
        assert services[backend]["healthcheck"]["test"], backend
        assert services[backend]["volumes"], backend
