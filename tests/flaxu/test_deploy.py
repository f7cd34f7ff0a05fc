"""Production start-up as an operator meets it: `manage.py` run in a fresh process with production env.

Each test starts `manage.py` in a subprocess (with flaxu.settings, not the test settings, so they take
their production branches) with its own FLAXU_VAR_DIR, and asserts on exit code and printed output.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "flaxu" / "settings.py"

# Variables the settings read, found in the source so a new one cannot go undocumented.
_ENV_READ = re.compile(r"""\b(?:env|Env\(\))(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def settings_env_names() -> set[str]:
    return set(_ENV_READ.findall(SETTINGS.read_text()))


def generated_encryption_keys() -> str:
    return "k1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def production_env(var_dir: Path, **overrides: str | None) -> dict[str, str]:
    """The caller's environment minus every FLAXU setting, plus a complete production configuration.

    DATABASE_URL and REDIS_URL are kept so the check runs against the backends of the current test mode.
    An override of None removes that variable.
    """
    keep = {"DATABASE_URL", "REDIS_URL"}
    # Without the DJANGO_SETTINGS_MODULE pytest-django exported (the test settings), manage.py takes flaxu.settings.
    drop = (settings_env_names() - keep) | {"DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
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


def test_importing_the_production_settings_writes_nothing_and_start_up_makes_the_directories(tmp_path):
    var_dir = tmp_path / "var"
    env = production_env(var_dir)
    imported = subprocess.run(
        [sys.executable, "-c", "import flaxu.settings"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert imported.returncode == 0, imported.stderr
    assert not var_dir.exists()  # no directory, no generated secret

    checked = manage(env, "check")
    assert checked.returncode == 0, checked.stderr
    assert (var_dir / "staticfiles").is_dir()


def test_readme_documents_every_setting_read_from_the_environment():
    readme = (ROOT / "README.md").read_text()
    # The table may abbreviate siblings: `FLAXU_TTL_PRICES` / `_LIQUIDATIONS` on one row.
    rows = [line for line in readme.splitlines() if line.startswith("|")]

    def documented(name: str) -> bool:
        if name in readme:
            return True
        family = "_".join(name.split("_")[:2]) + "_"
        return any(family in row and f"`_{name[len(family) :]}`" in row for row in rows)

    assert {name for name in settings_env_names() if not documented(name)} == set()


def test_flaxu_settings_are_read_only_in_settings():
    """Every FLAXU_* value comes from settings (declared, defaulted and documented once), never straight from
    the environment or through a getattr default elsewhere."""
    offenders = []
    for path in ROOT.glob("[a-z]*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {"tests", "bench", ".venv", "node_modules"} or path.name.startswith(
            "settings"
        ):
            continue
        text = path.read_text()
        if re.search(r"(os\.environ|getenv|env\.\w+)\(?[\[\(]?\s*[\"']FLAXU_", text) or re.search(
            r"getattr\(settings,\s*[\"']FLAXU_", text
        ):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


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


# --- docker-compose.yml validated ----------------------------------------------------------------
COMPOSE = ROOT / "docker-compose.yml"


def compose_services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def compose_schema() -> dict:
    """The Compose Specification's JSON schema, as vendored by check-jsonschema (no network needed)."""
    from importlib.resources import files

    return json.loads(files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text())


def test_compose_file_matches_the_compose_specification():
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(compose_schema()).iter_errors(yaml.safe_load(COMPOSE.read_text())), key=str)

    assert [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors] == []


def test_compose_schema_check_catches_a_broken_file():
    """The check above can fail: a misspelt key and a healthcheck with a number for a duration."""
    from jsonschema import Draft202012Validator

    broken = yaml.safe_load(COMPOSE.read_text())
    broken["services"]["web"]["healthcheck"]["interval"] = 30
    broken["services"]["web"]["comand"] = ["bin/serve"]

    assert len(list(Draft202012Validator(compose_schema()).iter_errors(broken))) >= 2


@pytest.mark.skipif(
    subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode != 0
    if shutil.which("docker")
    else True,
    reason="Docker Compose is not installed here (the schema check above still runs)",
)
def test_docker_compose_config_accepts_the_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text((ROOT / ".env.example").read_text().replace("POSTGRES_PASSWORD=\n", "POSTGRES_PASSWORD=x\n"))
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "--env-file", str(env_file), "config", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_compose_web_runs_the_production_server_with_n_processes_and_redis():
    web = compose_services()["web"]

    assert web["command"] == ["bin/serve"]
    serve = ROOT / "bin" / "serve"
    assert serve.is_file() and os.access(serve, os.X_OK)
    assert web["environment"]["FLAXU_WEB_PROCESSES"] == "${FLAXU_WEB_PROCESSES:-2}"
    assert web["environment"]["REDIS_URL"].startswith("redis://redis:")  # pushes cross processes
    # Inside the container, whatever .env says about the published port.
    assert (web["environment"]["FLAXU_HOST"], web["environment"]["FLAXU_PORT"]) == ("0.0.0.0", "8000")  # noqa: S104 (the container's own interfaces)
    assert web["ports"] == ["${FLAXU_BIND:-127.0.0.1}:${FLAXU_PORT:-8000}:8000"]


def test_health_checks_use_liveness_for_restarts():
    """Compose and the image probe /healthz (the process alone), never /readyz (shared services)."""
    web_probe = " ".join(compose_services()["web"]["healthcheck"]["test"])
    dockerfile = (ROOT / "Dockerfile").read_text()
    image_probe = re.search(r"^HEALTHCHECK .*\n\s+CMD (.*)$", dockerfile, flags=re.MULTILINE).group(1)

    for probe in (web_probe, image_probe):
        assert "http://127.0.0.1:8000/healthz" in probe
        assert "readyz" not in probe
    assert re.search(r'^CMD \["bin/serve"\]$', dockerfile, flags=re.MULTILINE)
    assert re.search(r"^ENV FLAXU_HOST=0\.0\.0\.0", dockerfile, flags=re.MULTILINE)


def test_every_compose_command_exists():
    """Each service's command names a file, a Celery app, queues and a scheduler that are really there."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    services = compose_services()
    queues = set(settings.CELERY_TASK_QUEUES)
    consumed = set()
    for name, service in services.items():
        if name in ("postgres", "redis"):
            continue
        command = " ".join(service.get("command", []))
        if name == "web":
            assert (ROOT / command).is_file()
        elif name == "migrate":
            assert command == "python manage.py migrate --noinput" and (ROOT / "manage.py").is_file()
        else:
            assert "celery -A flaxu " in command, name
            if " worker " in command:
                wanted = set(re.search(r"-Q (\S+)", command).group(1).split(","))
                assert wanted <= queues, (name, wanted - queues)
                consumed |= wanted
            else:
                assert " beat " in command, name
                import_string(re.search(r"--scheduler (\S+)", command).group(1).replace(":", "."))
    assert consumed == queues  # every queue has a worker service
    import flaxu.celery  # noqa: F401  (`-A flaxu` finds the app)


# --- Database connections: the pool, or PgBouncer ------------------------------------------------
_PRINT_DATABASE = (
    "import json; from django.db import connections; d = connections['default'].settings_dict; "
    "print(json.dumps({'CONN_MAX_AGE': d['CONN_MAX_AGE'], 'pool': d['OPTIONS'].get('pool'), "
    "'DISABLE_SERVER_SIDE_CURSORS': bool(d.get('DISABLE_SERVER_SIDE_CURSORS'))}))"
)


def database_settings(tmp_path, **env: str) -> dict:
    # Settings only: nothing connects, so any PostgreSQL URL will do.
    env = production_env(tmp_path, DATABASE_URL="postgres://flaxu:x@db.invalid:5432/flaxu", **env)
    result = manage(env, "shell", "-c", _PRINT_DATABASE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_connections_are_pooled_and_bounded_by_default(tmp_path):
    assert database_settings(tmp_path) == {
        "CONN_MAX_AGE": 0,  # Django refuses persistent connections with a pool
        "DISABLE_SERVER_SIDE_CURSORS": False,
        "pool": {"min_size": 0, "max_size": 10, "timeout": 10.0},
    }
    custom = database_settings(tmp_path, FLAXU_DB_POOL_MIN="4", FLAXU_DB_POOL_MAX="3", FLAXU_DB_POOL_TIMEOUT="2.5")
    assert custom["pool"] == {"min_size": 3, "max_size": 3, "timeout": 2.5}


def test_behind_pgbouncer_the_pool_still_bounds_each_process_and_no_server_side_cursor_is_used(tmp_path):
    assert database_settings(tmp_path, FLAXU_DB_PGBOUNCER="True") == {
        "CONN_MAX_AGE": 0,
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "pool": {"min_size": 0, "max_size": 10, "timeout": 10.0},
    }


def test_a_pool_of_no_connections_is_refused(tmp_path):
    env = production_env(tmp_path, DATABASE_URL="postgres://flaxu:x@db.invalid:5432/flaxu", FLAXU_DB_POOL_MAX="0")
    result = manage(env, "check")

    assert result.returncode != 0
    assert "FLAXU_DB_POOL_MAX must be at least 1." in result.stderr
