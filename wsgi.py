"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from stations import create_app

app = create_app()
