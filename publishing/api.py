"""Read-only JSON API for published activities, results and certificate checks.

The OpenAPI 3.1 document below is the contract: the tests validate it and
check every response against its schemas. Nothing here shows a phone number
or an e-mail address.
"""

from __future__ import annotations

from flask import abort, jsonify
from sqlalchemy import select

from core.extensions import db
from core.urls import external_url
from publishing.models import ResultSet, ResultState
from publishing.notice import notice_accepts_objections
from publishing.verification import certificate_for_token, publicly_verifiable, verification
from publishing.winners import grouped_honours

API_PREFIX = "/api/v1"


def _closed(properties: dict, *, nullable: bool = False) -> dict:
    """An object schema whose every property is required and which allows no other."""
    return {
        "type": ["object", "null"] if nullable else "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_NOTICE = _closed(
    {
        "first_day": {"type": "string", "format": "date"},
        "last_day": {"type": "string", "format": "date"},
        "accepts_objections": {"type": "boolean"},
    },
    nullable=True,
)

SCHEMAS = {
    "Activity": _closed(
        {
            "id": {"type": "integer"},
            "title": _STRING,
            "organiser": _STRING,
            "kind": {
                "type": "string",
                "enum": ["competition", "programme", "competition_units", "competition_teachers"],
            },
            "state": {"type": "string", "enum": ["notice", "published"]},
            "ordering": {"type": "string", "enum": ["score", "unordered"]},
            "notice": _NOTICE,
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "url": _STRING,
            "results_url": _NULLABLE_STRING,
        }
    ),
    "ActivityList": _closed({"activities": {"type": "array", "items": _ref("Activity")}}),
    "Honour": _closed(
        {
            "level_code": _STRING,
            "level_text": _STRING,
            "group": _STRING,
            "work_title": _NULLABLE_STRING,
            "recipient_name": _STRING,
            "recipient_unit": _STRING,
            "recipient_kind": {"type": "string", "enum": ["person", "team", "unit"]},
        }
    ),
    "Results": _closed(
        {
            "activity": _ref("Activity"),
            "levels": {
                "type": "array",
                "items": _closed({"level_text": _STRING, "honours": {"type": "array", "items": _ref("Honour")}}),
            },
        }
    ),
    "Verification": _closed(
        {
            "number": _STRING,
            "recipient_name": _STRING,
            "recipient_unit": _STRING,
            "level_text": _STRING,
            "work_title": _NULLABLE_STRING,
            "activity": _STRING,
            "issue_date": {"type": "string", "format": "date"},
            "revoked": {"type": "boolean"},
            "revoked_date": {"type": ["string", "null"], "format": "date"},
            "revoked_reason": _NULLABLE_STRING,
            "valid": {"type": "boolean"},
        }
    ),
    "Error": {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {"code": {"type": "integer"}, "message": _STRING},
                "required": ["code", "message"],
            },
        },
        "required": ["error"],
    },
}


def _json(ref: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(ref)}},
    }


def _get(operation_id: str, summary: str, ok: dict, path_param: tuple[str, dict] | None = None) -> dict:
    """One read-only operation; an object named by a path parameter may be missing or unpublished (404)."""
    operation: dict = {"operationId": operation_id, "summary": summary}
    responses = {"200": ok}
    if path_param is not None:
        name, schema = path_param
        operation["parameters"] = [{"name": name, "in": "path", "required": True, "schema": schema}]
        responses["404"] = _json("Error", "Not found or not published")
    operation["responses"] = responses
    return {"get": operation}


def openapi_document() -> dict:
    activity_id = ("activity_id", {"type": "integer"})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Zhengping public API",
            "version": "1.0.0",
            "description": "Published activities, final results and certificate verification. "
            "Read-only; no personal contact data.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            f"{API_PREFIX}/activities": _get(
                "listActivities", "Activities on public notice or published", _json("ActivityList", "The activities")
            ),
            f"{API_PREFIX}/activities/{{activity_id}}": _get(
                "getActivity", "One public activity", _json("Activity", "The activity"), activity_id
            ),
            f"{API_PREFIX}/activities/{{activity_id}}/results": _get(
                "getResults",
                "Final results (获奖名单) of a published activity",
                _json("Results", "The final list, by level"),
                activity_id,
            ),
            f"{API_PREFIX}/certificates/{{token}}": _get(
                "verifyCertificate",
                "Verify a certificate by its QR token",
                _json("Verification", "The certificate and whether it stands"),
                ("token", {"type": "string", "maxLength": 64}),
            ),
        },
        "components": {"schemas": SCHEMAS},
    }


def activity_json(rs: ResultSet) -> dict:
    notice = None
    if rs.notice_first_day and rs.state == ResultState.NOTICE:
        notice = {
            "first_day": rs.notice_first_day.isoformat(),
            "last_day": rs.notice_last_day.isoformat(),
            "accepts_objections": notice_accepts_objections(rs),
        }
    published = rs.state == ResultState.PUBLISHED
    return {
        "id": rs.id,
        "title": rs.title,
        "organiser": rs.organiser or "",
        "kind": rs.source_type.value,
        "state": rs.state.value,
        "ordering": rs.ordering.value,
        "notice": notice,
        "published_at": rs.published_at.isoformat() if published and rs.published_at else None,
        "url": external_url("publishing.public_activity", rs_id=rs.id),
        "results_url": external_url("publishing.api_results", activity_id=rs.id) if published else None,
    }


def honour_json(h) -> dict:
    return {
        "level_code": h.level_code,
        "level_text": h.level_text,
        "group": h.group_label,
        "work_title": h.work_title,
        "recipient_name": h.recipient_name,
        "recipient_unit": h.recipient_unit,
        "recipient_kind": h.recipient_kind.value,
    }


def _public_or_404(activity_id: int) -> ResultSet:
    rs = db.session.get(ResultSet, activity_id)
    if rs is None or not rs.is_public:
        abort(404)
    return rs


def register(bp) -> None:
    @bp.route(f"{API_PREFIX}/openapi.json")
    def api_openapi():
        return jsonify(openapi_document())

    @bp.route(f"{API_PREFIX}/activities")
    def api_activities():
        rows = db.session.scalars(
            select(ResultSet)
            .where(ResultSet.state.in_([ResultState.NOTICE, ResultState.PUBLISHED]))
            .order_by(ResultSet.id.desc())
        ).all()
        return jsonify({"activities": [activity_json(rs) for rs in rows]})

    @bp.route(f"{API_PREFIX}/activities/<int:activity_id>")
    def api_activity(activity_id: int):
        return jsonify(activity_json(_public_or_404(activity_id)))

    @bp.route(f"{API_PREFIX}/activities/<int:activity_id>/results")
    def api_results(activity_id: int):
        rs = _public_or_404(activity_id)
        if rs.state != ResultState.PUBLISHED:
            abort(404)
        levels = [
            {"level_text": level["level_text"], "honours": [honour_json(h) for g in level["groups"] for h in g["rows"]]}
            for level in grouped_honours(rs)
        ]
        return jsonify({"activity": activity_json(rs), "levels": levels})

    @bp.route(f"{API_PREFIX}/certificates/<token>")
    def api_certificate(token: str):
        cert = certificate_for_token(token)
        if not publicly_verifiable(cert):
            abort(404)  # unknown, or on a list that is not published: no name, unit or title
        return jsonify(verification(cert))
