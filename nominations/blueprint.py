"""The nominations blueprint; its routes live in the ``routes_*`` modules by audience.

Staff pages sit under ``/nominations``; the public exemplar gallery under ``/exemplars``.
``core.register_blueprints`` imports every routes module explicitly.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("nominations", __name__)
