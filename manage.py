#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psp.settings")
    # Commands typed on a developer's machine work without a .env; the served app
    # (gunicorn, Celery) does not come through here and stays DEBUG-off unless told.
    # Production sets DEBUG=false in its environment (docker-compose.yml).
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
