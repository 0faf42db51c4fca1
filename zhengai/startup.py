"""Stop start-up with one clear line when the environment is misconfigured."""

import importlib
import os
import sys

from zhengai.env import ConfigError


def load_settings_or_exit() -> None:
    """Import the settings module now, turning a ConfigError into a one-line exit."""
    try:
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except ConfigError as exc:
        sys.stderr.write(f"配置错误 (configuration error): {exc}\n")
        raise SystemExit(2) from None
