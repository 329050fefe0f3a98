"""Marker for strings that are translated later, where they are shown.

Pure modules (no Flask import) mark their user-facing messages with ``N_`` so
``pybabel extract`` collects them; the service or route that shows the message
passes it through ``gettext`` with its parameters.
"""


def N_(message: str) -> str:
    return message
