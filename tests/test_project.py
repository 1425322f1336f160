"""Project-wide checks: migrations match the models, Django's system checks pass."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

TANDEM = str(Path(sys.executable).parent / "tandem")


@pytest.mark.django_db
def test_models_have_no_missing_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


def test_deploy_checks_pass_in_production_mode(tmp_path):
    env = {
        **os.environ,
        "TANDEM_HOME": str(tmp_path),
        "TANDEM_HTTPS": "true",
        "TANDEM_DEBUG": "false",
    }
    result = subprocess.run(
        [TANDEM, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_postgresql_connections_plan_without_parallel_workers_unless_told(monkeypatch):
    """A parallel worker cost more to start than Tandem's list queries take; a DATABASE_URL
    that sets its own options keeps them."""
    from tandem import settings

    monkeypatch.setenv("DATABASE_URL", "postgres://tandem@db.example:5432/crm")
    assert settings._database()["OPTIONS"]["options"] == "-c max_parallel_workers_per_gather=0"
    monkeypatch.setenv(
        "DATABASE_URL", "postgres://tandem@db.example:5432/crm?options=-c%20work_mem%3D64MB"
    )
    assert settings._database()["OPTIONS"]["options"] == "-c work_mem=64MB"
