"""WSGI entry point (gunicorn in production)."""

import os

from django.core.wsgi import get_wsgi_application

from zhengai.startup import load_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengai.settings")
load_settings_or_exit()
application = get_wsgi_application()
