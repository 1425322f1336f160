"""The `tandem` command: first administrator, and a real server that starts and stops."""

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection

from tandem.core.models import User

TANDEM = str(Path(sys.executable).parent / "tandem")


@pytest.mark.django_db
def test_createadmin_prints_a_generated_password_once(capsys, monkeypatch):
    monkeypatch.delenv("TANDEM_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("TANDEM_ADMIN_USER", "boss")
    call_command("createadmin")
    first = capsys.readouterr().out
    password = first.split("with the password ")[1].split(" ")[0]
    assert authenticate(username="boss", password=password)
    call_command("createadmin")
    second = capsys.readouterr().out
    assert password not in second
    assert "already exists" in second
    assert User.objects.filter(is_superuser=True).count() == 1


@pytest.mark.django_db
def test_createadmin_takes_the_password_from_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("TANDEM_ADMIN_PASSWORD", "a-chosen-password-7")
    call_command("createadmin")
    assert "a-chosen-password-7" not in capsys.readouterr().out
    assert authenticate(username="admin", password="a-chosen-password-7")


@pytest.mark.django_db
def test_createadmin_refuses_a_weak_password_and_names_the_real_admin(capsys, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setenv("TANDEM_ADMIN_PASSWORD", "short")
    with pytest.raises(CommandError, match="TANDEM_ADMIN_PASSWORD is not accepted"):
        call_command("createadmin")
    assert not User.objects.filter(is_superuser=True).exists()
    monkeypatch.setenv("TANDEM_ADMIN_PASSWORD", "a-chosen-password-7")
    monkeypatch.setenv("TANDEM_ADMIN_USER", "boss")
    call_command("createadmin")
    monkeypatch.setenv("TANDEM_ADMIN_USER", "someone-else")
    call_command("createadmin")
    assert "tandem changepassword boss" in capsys.readouterr().out


def test_tandem_tells_its_own_version_and_commands():
    version = subprocess.run([TANDEM, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("tandem 0.")
    usage = subprocess.run([TANDEM], capture_output=True, text=True, check=True).stdout
    for command in ("setup", "serve", "populate", "createadmin", "migrate", "check"):
        assert f"  {command} " in usage


@pytest.mark.parametrize(
    "url",
    ["foo://nowhere", "postgres://postgres@127.0.0.1:1/none", "mysql://root@127.0.0.1:1/none"],
)
def test_a_wrong_database_url_is_one_clear_line_not_a_traceback(tmp_path, url):
    env = {**os.environ, "DATABASE_URL": url, "TANDEM_HOME": str(tmp_path)}
    result = subprocess.run([TANDEM, "migrate"], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "tandem: cannot use the database:" in result.stderr
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds}s")


QUEUE_AN_IMPORT = """
from django.db import transaction
from tandem.core.models import User
from tandem.io.jobs import create_job, start_job
from tandem.io.mapping import ImportSettings
job = create_job(
    user=User.objects.get(username="admin"),
    entity_type="contacts",
    filename="one.csv",
    data=b"First name,Last name\\nAda,Lovelace\\n",
)
job.settings = ImportSettings(
    entity_type="contacts",
    columns={"First name": {"target": "first_name"}, "Last name": {"target": "last_name"}},
).to_json()
with transaction.atomic():
    start_job(job)
"""


def _wait_for_sql(database, query: str, expected: str, server, seconds: float = 60) -> None:
    """Poll the SQLite file until ``query`` answers ``expected`` (the worker is another
    process)."""
    deadline = time.monotonic() + seconds
    answer = None
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as db:
            row = db.execute(query).fetchone()
        answer = row[0] if row else None
        if answer == expected:
            return
        # Between two looks, wait on the server itself: its exit ends the wait at once.
        try:
            server.wait(timeout=0.3)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"server exited early: {server.stdout.read()}")
    raise AssertionError(f"{query} answered {answer!r}, not {expected!r}, within {seconds}s")


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="starts its own server on a fresh embedded SQLite database: run once, in the "
    "SQLite pass",
)
def test_setup_and_serve_on_embedded_sqlite_and_stop_on_sigint(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(TANDEM_HOME=str(tmp_path), TANDEM_ADMIN_PASSWORD="")
    env.pop("TANDEM_ADMIN_PASSWORD")
    setup = subprocess.run([TANDEM, "setup"], env=env, capture_output=True, text=True, check=True)
    assert "Log in as “admin” with the password" in setup.stdout
    database = tmp_path / "tandem.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    port = _free_port()
    server = subprocess.Popen(
        [TANDEM, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/health/", server)
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with opener.open(f"{base}/login/") as response:
            page = response.read().decode()
        assert "csrfmiddlewaretoken" in page
        # The stylesheet and the front-end files from node_modules, through whitenoise.
        css = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
        htmx = re.search(r'<script src="([^"]+htmx[^"]+)"', page).group(1)
        for path, content_type in ((css, "text/css"), (htmx, "javascript")):
            with opener.open(f"{base}{path}") as response:
                assert response.status == 200
                assert content_type in response.headers["Content-Type"]
        # The worker `serve` started runs a queued import: no other server is needed.
        subprocess.run([TANDEM, "shell", "-c", QUEUE_AN_IMPORT], env=env, check=True)
        _wait_for_sql(database, "SELECT status FROM tandem_io_importjob", "done", server)
        with sqlite3.connect(database) as db:
            assert db.execute(
                "SELECT count(*) FROM core_entity WHERE label = 'Ada Lovelace'"
            ).fetchone() == (1,)
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0

    again = subprocess.run([TANDEM, "setup"], env=env, capture_output=True, text=True, check=True)
    assert "with the password" not in again.stdout
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM core_user").fetchone()[0] == 1
        assert db.execute("SELECT name FROM persons_organisation WHERE is_managed").fetchall() == [
            ("ReplaceByYourCompany",)
        ]
