"""Placeholder: being built (issue 10)."""
from __future__ import annotations

from flask import Blueprint, render_template

from bot.staff.models import EDITOR
from console.permissions import requires

bp = Blueprint("recruiters", __name__, url_prefix="/recruiters")


@bp.route("/")
@requires(EDITOR)
def index():
    return render_template("placeholder.html", title_key="nav.recruiters")
