"""The ``tandem`` command: Tandem's own commands (serve, setup, populate, createadmin) and
every Django management command (migrate, check, changepassword…) behind them."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``tandem`` console script."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tandem", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
