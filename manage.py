#!/usr/bin/env python
"""Django's command-line utility for the 诊改 portal."""

import os
import sys


def main() -> None:
    """Run administrative tasks, refusing to start on a misconfigured environment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengai.settings")
    from zhengai.startup import load_settings_or_exit

    load_settings_or_exit()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
