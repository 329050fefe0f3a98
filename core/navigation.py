"""The navigation bar follows the person's roles.

Each package lists its entries here by endpoint; the public pages share one
set of links (``PUBLIC_ITEMS``), so that publishing's pages can link to the
exemplar gallery without knowing the nominations package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import request, url_for
from flask_babel import gettext
from flask_login import current_user

from core.i18n_markers import N_


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: tuple[str, ...]  # empty: everyone signed in
    prefix: str = ""
    site_wide: bool = False  # a page of every activity: not for a 承办/协办 organiser account


NAV_ITEMS: list[NavItem] = [
    NavItem("core.home", N_("Home"), ()),
    NavItem("essays.my_entries", N_("My entries"), ("author",), "/essays/mine"),
    NavItem("essays.unit_entries", N_("Unit entries"), ("coordinator",), "/essays/unit"),
    NavItem("accounts.unit_members", N_("Unit members"), ("coordinator",), "/unit/members"),
    NavItem("essays.competitions", N_("Competitions"), ("organiser", "admin"), "/essays/manage"),
    NavItem("judging.queue", N_("Judging"), ("judge",), "/judging/my"),
    NavItem("judging.rounds", N_("Rounds"), ("organiser", "admin"), "/judging/rounds"),
    NavItem("judging.stats_overview", N_("Statistics"), ("organiser", "admin"), "/judging/stats"),
    NavItem("nominations.unit_home", N_("Nominations"), ("coordinator",), "/nominations/unit"),
    NavItem("nominations.programmes", N_("Nominations"), ("organiser", "admin"), "/nominations/programmes"),
    NavItem("nominations.review_home", N_("Expert review"), ("judge",), "/nominations/review"),
    NavItem("nominations.committee_home", N_("Committee ballot"), ("committee",), "/nominations/committee"),
    NavItem("publishing.manage", N_("Publishing"), ("organiser", "admin"), "/publishing/manage"),
    NavItem("accounts.message_outbox", N_("Outbox"), ("organiser", "admin"), "/messages/outbox"),
    NavItem("admin.users", N_("Users"), ("admin",), "/admin/users"),
    NavItem("admin.units", N_("Units"), ("admin",), "/admin/units"),
    NavItem("core.audit_log", N_("Audit log"), ("admin", "organiser"), "/audit", site_wide=True),
]


PUBLIC_ITEMS: list[NavItem] = [
    NavItem("publishing.public_home", N_("Public notices and results"), (), "/public"),
    NavItem("publishing.public_archive", N_("Archive"), (), "/public/archive"),
    NavItem("nominations.exemplars", N_("Exemplars"), (), "/exemplars"),
]


def public_items() -> list[dict]:
    """The public links; the one whose prefix matches the page most closely is marked active."""
    matching = [i.prefix for i in PUBLIC_ITEMS if request.path.startswith(i.prefix)]
    current = max(matching, key=len, default=None)
    return [
        {"url": url_for(i.endpoint), "label": gettext(i.label), "active": i.prefix == current} for i in PUBLIC_ITEMS
    ]


# Who sees the site-wide items; the composition root installs accounts' rule (every activity).
_site_wide_allowed: Callable[[object], bool] = lambda user: True  # noqa: E731


def set_site_wide_rule(rule: Callable[[object], bool]) -> None:
    global _site_wide_allowed
    _site_wide_allowed = rule


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    roles = {str(r) for r in user.roles}
    out = []
    for item in NAV_ITEMS:
        if item.roles and not roles.intersection(item.roles):
            continue
        if item.site_wide and not _site_wide_allowed(user):
            continue
        url = url_for(item.endpoint)
        active = request.path == url or bool(item.prefix and request.path.startswith(item.prefix))
        out.append({"url": url, "label": gettext(item.label), "active": active})
    return out


def init_app(app) -> None:
    @app.context_processor
    def _nav():
        return {
            "nav_items": items_for(current_user),
            "public_nav_items": public_items,
        }
