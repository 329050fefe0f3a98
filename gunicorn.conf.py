"""gunicorn settings: ``gunicorn -c gunicorn.conf.py -w 4 -b 0.0.0.0:8000 'core:create_app()'``.

gunicorn also reads this file by itself when started from the project folder.
"""

import gc


def post_worker_init(worker):
    """Move everything alive once the app is loaded (modules, the URL map, templates, SQLAlchemy's
    metadata: ~160,000 objects) out of the collector's reach. Later collections then walk only what
    requests allocate; a round's aggregation stops paying full collections over the app itself."""
    gc.freeze()
