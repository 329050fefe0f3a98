"""Public archive pages: past activities by year with their winners, and the search over them."""

from __future__ import annotations

from flask import abort, render_template, request

from core.urls import external_url
from publishing import archive
from publishing.blueprint import bp
from publishing.winners import grouped_honours


@bp.route("/public/archive")
@bp.route("/public/archive/<int:year>")
def public_archive(year: int | None = None):
    years = archive.archive_years()
    if year is None and years:
        year = years[0][0]
    if year is not None and year not in dict(years):
        abort(404)
    page = archive.archive_page(year) if year is not None else None
    lists = [(rs, grouped_honours(rs)) for rs in page.items] if page else []
    return render_template(
        "publishing/archive.html",
        years=years,
        year=year,
        page=page,
        lists=lists,
        share_url=external_url("publishing.public_archive", year=year) if year else "",
    )


@bp.route("/public/search")
def public_search():
    query = (request.args.get("q") or "").strip()[: archive.MAX_QUERY]
    terms = archive.normalise_query(query)
    return render_template(
        "publishing/search.html",
        query=query,
        searched=bool(terms),
        activities=archive.matching_activities(terms),
        page=archive.matching_honours(terms) if terms else None,
    )
