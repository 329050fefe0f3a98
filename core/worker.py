"""Entry point for the job consumer: ``huey_consumer core.worker.huey``.

Importing the app here registers every package's job handlers before the
consumer starts taking jobs.
"""
from core import create_app
from core import jobs

app = create_app()
jobs._worker_app = app
huey = jobs.huey
