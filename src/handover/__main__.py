"""The `handover` command: Django's command runner on Handover's settings."""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handover.settings")
    execute_from_command_line(["handover", *sys.argv[1:]])


if __name__ == "__main__":
    main()
