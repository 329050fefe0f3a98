"""The public archive: published result sets by year of publication, and a search over them.

Only published lists are read here (never drafts, notices or unpublished
lists) and only honours that stand (never withdrawn ones); what is searched is
what the public list shows: titles, winners' names, units and works' titles.
Each page costs a fixed number of queries, however many lists and winners.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from core.extensions import db
from publishing.clock import SHANGHAI, local_date
from publishing.models import Honour, ResultSet, ResultState

ARCHIVE_PER_PAGE = 10
SEARCH_PER_PAGE = 30
MAX_ACTIVITIES = 20
MAX_QUERY = 50
MAX_TERMS = 5


def archive_years() -> list[tuple[int, int]]:
    """(year, number of lists published that year on the organisers' clock), latest first."""
    moments = db.session.scalars(
        select(ResultSet.published_at).where(
            ResultSet.state == ResultState.PUBLISHED, ResultSet.published_at.is_not(None)
        )
    )
    return sorted(Counter(local_date(m).year for m in moments).items(), reverse=True)


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI).astimezone(dt.UTC)
    return start, end


def archive_page(year: int):
    """The published lists of ``year``, latest first, with their honours loaded in one query."""
    start, end = _year_bounds(year)
    stmt = (
        select(ResultSet)
        .where(
            ResultSet.state == ResultState.PUBLISHED,
            ResultSet.published_at >= start,
            ResultSet.published_at < end,
        )
        .options(selectinload(ResultSet.honours))
        .order_by(ResultSet.published_at.desc(), ResultSet.id.desc())
    )
    return db.paginate(stmt, per_page=ARCHIVE_PER_PAGE, error_out=False)


def normalise_query(raw: str | None) -> list[str]:
    """The search terms: full-width letters and digits folded (NFKC), lower case, at most a few."""
    text = unicodedata.normalize("NFKC", raw or "")[:MAX_QUERY].lower()
    return text.split()[:MAX_TERMS]


def _contains(column, term: str):
    # autoescape: a % or _ typed by the visitor is matched as itself, not as a wildcard.
    return func.lower(column).contains(term, autoescape=True)


def _winner_match(term: str):
    return or_(
        _contains(Honour.recipient_name, term),
        _contains(Honour.recipient_unit, term),
        _contains(func.coalesce(Honour.work_title, ""), term),
    )


def _activity_match(term: str):
    return or_(_contains(ResultSet.title, term), _contains(ResultSet.organiser, term))


def matching_activities(terms: list[str]) -> list[ResultSet]:
    """Published lists whose title or organiser holds every term."""
    if not terms:
        return []
    stmt = (
        select(ResultSet)
        .where(ResultSet.state == ResultState.PUBLISHED, *[_activity_match(t) for t in terms])
        .order_by(ResultSet.published_at.desc(), ResultSet.id.desc())
        .limit(MAX_ACTIVITIES)
    )
    return list(db.session.scalars(stmt))


def matching_honours(terms: list[str]):
    """Standing honours of published lists where every term is found in the winner's name, unit,
    work or the list's title, and at least one in the winner's own fields (a title alone lists
    the activity above, not all of its winners)."""
    stmt = (
        select(Honour)
        .join(Honour.result_set)
        .where(
            ResultSet.state == ResultState.PUBLISHED,
            Honour.withdrawn.is_(False),
            and_(*[or_(_winner_match(t), _activity_match(t)) for t in terms]),
            or_(*[_winner_match(t) for t in terms]),
        )
        .options(contains_eager(Honour.result_set))
        .order_by(ResultSet.published_at.desc(), ResultSet.id.desc(), Honour.position, Honour.id)
    )
    return db.paginate(stmt, per_page=SEARCH_PER_PAGE, error_out=False)
