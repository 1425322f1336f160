"""The ``tandem`` command: Tandem's own commands (serve, setup, populate, createadmin) and
every Django management command (migrate, check, changepassword…) behind them."""

import os
import sys
from importlib.metadata import PackageNotFoundError, version

USAGE = """Usage: tandem <command> [options]

Tandem's commands:
  setup            create or upgrade the database, the first administrator, the default data
  serve            serve Tandem with gunicorn (--host, --port, --workers)
  populate         add the default data (idempotent)
  createadmin      create the first administrator unless one exists
  token            API tokens: token create <username>, token list <username>, token revoke <id>
  export           export --type contacts|organisations [--format csv|xlsx|vcf] [--search TEXT]
                   [--filter ID] [--delimiter ';'] [--bom] [--output FILE] (stdout without --output)
  migrate          apply database migrations
  check            check the configuration (--deploy for production)
  changepassword   set a user's password
  shell            a Python shell with Tandem loaded

`tandem help <command>` describes a command; `tandem help --commands` lists every command
(Django's included). Data lives in TANDEM_HOME; DATABASE_URL chooses the database.
"""


def _tandem_version() -> str:
    try:
        return version("tandem-crm")
    except PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``tandem`` console script."""
    args = sys.argv[1:] if argv is None else argv
    if args in ([], ["help"], ["--help"], ["-h"]):
        sys.stdout.write(USAGE)
        return
    if args == ["--version"]:
        sys.stdout.write(f"tandem {_tandem_version()}\n")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(["tandem", *args])
    except (DatabaseError, ImproperlyConfigured) as error:
        # A wrong DATABASE_URL, a server that is down, a missing driver: say so in one line.
        sys.stderr.write(f"tandem: cannot use the database: {error}\n")
        sys.stderr.write("Check DATABASE_URL (see README.md) and that the server is running.\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
