"""`/healthz`: whether this process can serve, for load balancers and process managers."""
from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from backpack.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers, 503 otherwise; never cached, no personal data."""
    try:
        db.session.execute(db.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        response = jsonify(status="unavailable", database=False)
        response.status_code = 503
    else:
        response = jsonify(status="ok", database=True)
    response.headers["Cache-Control"] = "no-store"
    return response
