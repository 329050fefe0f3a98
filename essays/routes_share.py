"""Share posters of a call (PNG for WeChat groups, PDF for notice boards).

Anyone may fetch the poster of a call the public can read; a draft's poster
only its organisers (the same rule as the call page itself).
"""

from __future__ import annotations

import io

from flask import send_file

from core.posters import poster_pdf, poster_png
from essays.models import CompetitionStatus
from essays.public_calls import call_poster
from essays.view_helpers import bp, open_competition_or_404


def _send(data: bytes, mimetype: str, name: str, public: bool):
    response = send_file(io.BytesIO(data), mimetype=mimetype, download_name=name, max_age=300 if public else 0)
    if not public:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/calls/<int:competition_id>/poster.png")
def call_poster_png(competition_id: int):
    comp = open_competition_or_404(competition_id)
    data = poster_png(call_poster(comp))
    return _send(data, "image/png", f"{comp.title}.png", comp.status != CompetitionStatus.DRAFT)


@bp.route("/calls/<int:competition_id>/poster.pdf")
def call_poster_pdf(competition_id: int):
    comp = open_competition_or_404(competition_id)
    data = poster_pdf(call_poster(comp))
    return _send(data, "application/pdf", f"{comp.title}.pdf", comp.status != CompetitionStatus.DRAFT)
