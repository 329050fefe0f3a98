"""Helpers for the WTForms forms of every package."""

from __future__ import annotations

from typing import Any, Callable

from flask import flash, redirect
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from core.request_cycle import on_user_error


def form_values(form: FlaskForm, *names: str) -> dict[str, Any]:
    """``{name: form[name].data}`` for the named fields: the keyword arguments a
    service takes straight from a form, e.g.
    ``services.create_unit(**form_values(form, "name", "kind"), actor=current_user)``."""
    return {name: form[name].data for name in names}


def add_uploaded_file(form: FlaskForm, add: Callable[[str, str, bytes], object], done):
    """The POST of a form with ``kind`` and ``upload`` fields: ``add(kind, filename, data)``
    with the chosen file (or ask for one), then ``done``."""
    upload = form.upload.data
    if not form.validate_on_submit() or not upload or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return done
    add(form.kind.data, upload.filename, upload.read())
    flash(_("The file has been added."), "success")
    return done


def act_on_valid(form: FlaskForm, act: Callable[[FlaskForm], object], done, *, success: str, invalid: str):
    """The POST of a form that must be valid: ``act(form)`` and say ``success``, or say
    ``invalid``; then ``done`` either way."""
    if form.validate_on_submit():
        act(form)
        flash(success, "success")
    else:
        flash(invalid, "error")
    return done


def form_page(form: FlaskForm, page: Callable[[], object], save: Callable[[], object], *, saved: str, then: str):
    """A GET/POST form page: on a valid POST ``save()`` (a UserError shows ``page()`` again with
    its message), say ``saved`` and go to ``then``; otherwise show ``page()``."""
    if form.validate_on_submit():
        on_user_error(page)
        save()
        flash(saved, "success")
        return redirect(then)
    return page()
