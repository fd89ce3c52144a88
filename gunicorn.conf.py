"""``gunicorn -c gunicorn.conf.py`` in a checkout: the settings live in the package
(dashboard/gunicorn_conf.py, ``gunicorn -c python:dashboard.gunicorn_conf``) so an installed wheel
and the image use the same ones."""

from dashboard.gunicorn_conf import *  # noqa: F403
