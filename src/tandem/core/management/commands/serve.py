import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    """Gunicorn serving Tandem's WSGI application with options from the command line."""

    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Imported here, after collectstatic: whitenoise indexes the static files on load.
        from tandem.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve Tandem with gunicorn (static files by whitenoise). Ctrl+C stops it."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--host",
            default=os.environ.get("TANDEM_HOST", "127.0.0.1"),
            help="Address to listen on (TANDEM_HOST; default 127.0.0.1).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("TANDEM_PORT", 8000)),
            help="Port to listen on (TANDEM_PORT; default 8000).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("TANDEM_WORKERS", 2)),
            help="Number of worker processes (TANDEM_WORKERS; default 2).",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background worker (imports); run `tandem worker` elsewhere.",
        )

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        # The background worker (large imports) lives and dies with the server.
        worker = (
            None
            if options["no_worker"]
            else subprocess.Popen([sys.executable, "-m", "tandem.cli", "worker"])
        )
        try:
            self._serve(host, port, workers)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()

    def _serve(self, host: str, port: int, workers: int) -> None:
        message = _("Tandem is serving on http://%(host)s:%(port)s/ — press Ctrl+C to stop.") % {
            "host": host,
            "port": port,
        }

        def when_ready(server) -> None:
            # Said once the port is bound, so a busy port never shows a "serving" line.
            self.stdout.write(message)
            self.stdout.flush()

        _Server(
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                "accesslog": "-",
                "graceful_timeout": 10,
                "when_ready": when_ready,
                # Several instances (or sessions) on one machine must not share gunicorn's
                # default control socket, which the first to stop would delete.
                "control_socket_disable": True,
            }
        ).run()
