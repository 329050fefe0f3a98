"""Entry point for the job consumer: ``huey_consumer core.worker.huey``.

Creating the app configures the queue from its config (``core.jobs.init_app``)
and registers every package's job handlers. The worker's app has no web pages:
it imports no blueprint (a job that builds a link loads the URL table then).
"""

import gc

from core import create_app
from core.jobs import huey  # noqa: F401  (the configured queue the consumer runs)

app = create_app(views=False)
# What start-up left alive (modules, metadata, config) stays alive: keep it out of every later
# collection, as gunicorn.conf.py does for the web workers.
gc.freeze()
