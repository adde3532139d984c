"""Settings, demo data, health: what a new deployment relies on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from foundation.env import env_bool, env_int
from teams.models import Agent, Membership, Quartier, Service

ROOT = Path(__file__).resolve().parents[2]


def run_settings(
    env: dict[str, str], code: str = "from django.conf import settings; settings.DEBUG"
) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "TESTING", "SECRET_KEY", "DATABASE_URL"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='arras_quartiers.settings'; django.setup(); {code}",
        ],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_settings({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            # Only what production has: no test-only variables (DJANGO_ALLOW_ASYNC_UNSAFE is set by
            # the browser tests in this process).
            **{
                k: v
                for k, v in os.environ.items()
                if k not in {"DEBUG", "TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
            },
            "DEBUG": "0",
            "SECRET_KEY": "a-long-production-secret-key-with-enough-entropy-0123456789abcdef",
            "ALLOWED_HOSTS": "quartiers.example.org",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hsts_subdomains_and_preload_are_an_opt_in():
    """A city's domain hosts other services: HSTS never covers them, nor enters the browsers'
    preload list, unless the city says so."""
    code = (
        "from django.conf import settings; "
        "print(settings.SECURE_HSTS_SECONDS > 0, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "settings.SECURE_HSTS_PRELOAD)"
    )
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 60}
    assert run_settings(production, code).stdout.split() == ["True", "False", "False"]
    opted_in = {**production, "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1", "SECURE_HSTS_PRELOAD": "1"}
    assert run_settings(opted_in, code).stdout.split() == ["True", "True", "True"]


def test_env_readers_fail_loudly(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "peut-être")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG")
    monkeypatch.setenv("SOME_NUMBER", "douze")
    with pytest.raises(ImproperlyConfigured):
        env_int("SOME_NUMBER", 1)


@pytest.mark.django_db
def test_loaddemo_is_idempotent():
    call_command("loaddemo", "--quiet-accounts", stdout=open(os.devnull, "w"))
    counts = (
        Agent.objects.count(),
        Membership.objects.count(),
        Quartier.objects.count(),
        Service.objects.count(),
    )
    call_command("loaddemo", "--quiet-accounts", stdout=open(os.devnull, "w"))
    assert (
        Agent.objects.count(),
        Membership.objects.count(),
        Quartier.objects.count(),
        Service.objects.count(),
    ) == counts
    assert Service.objects.count() == 11
    assert Membership.objects.filter(quartier__slug="ouest", role="membre").count() >= 25
    assert Agent.objects.get(email="claire.vasseur@arras.example").check_password("quartiers-demo")


@pytest.mark.django_db
def test_health_answers_before_host_validation(client, settings):
    settings.ALLOWED_HOSTS = ["quartiers.example.org"]
    response = client.get("/sante/", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_health_reports_a_failing_dependency(client, monkeypatch):
    from arras_quartiers import health

    def broken():
        raise ConnectionError("down")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["cache"].startswith("error")


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/comptes/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_production_image_ships_no_tests_benchmark_or_local_state():
    """The Dockerfile ends with `COPY . .`: .dockerignore keeps out what production must not carry."""
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"bench", "tests", ".venv", "node_modules", "var", ".git", ".env"} <= ignored
    kept = {"pyproject.toml", "README.md", "package.json", "package-lock.json", "manage.py"}
    kept |= {"foundation", "arras_quartiers", "teams", "observations", "meetings", "diagnostics"}
    kept |= {"templates", "static"}
    assert not kept & ignored
