"""The public exemplar gallery (/exemplars) and its JSON API for district websites.

Everything here goes through ``nominations.gallery``: approved, consenting
honourees with public fields only.
"""

from __future__ import annotations

from flask import abort, jsonify, render_template, url_for

from core.storage import send_stored
from core.urls import external_url
from nominations import gallery
from nominations.blueprint import bp


@bp.route("/exemplars")
def exemplars():
    return render_template("nominations/public/index.html", years=gallery.programmes_by_year())


@bp.route("/exemplars/<int:programme_id>")
def exemplar_programme(programme_id: int):
    shown = gallery.public_programme(programme_id)
    if shown is None:
        abort(404)
    api_url = url_for("nominations.exemplar_api", programme_id=programme_id)
    return render_template("nominations/public/programme.html", programme=shown, api_url=api_url)


@bp.route("/exemplars/<int:programme_id>/photo/<int:nomination_id>")
def exemplar_photo(programme_id: int, nomination_id: int):
    stored = gallery.public_photo(programme_id, nomination_id)
    if stored is None:
        abort(404)
    suffix = stored.key.rsplit(".", 1)[-1]
    response = send_stored(stored, f"exemplar-{nomination_id}.{suffix}", as_attachment=False)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/exemplars/api/<int:programme_id>.json")
def exemplar_api(programme_id: int):
    shown = gallery.public_programme(programme_id)
    if shown is None:
        abort(404)

    def photo_url(p):
        return external_url("nominations.exemplar_photo", programme_id=programme_id, nomination_id=p.id)

    response = jsonify(gallery.as_json(shown, photo_url))
    # A district website embeds the list from its own origin.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
