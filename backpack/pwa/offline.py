"""Pages a learner can open again with no connection.

The service worker keeps a copy of a response only when it carries this header, so the
server, not a list of paths in the worker, says what is the learner's own and safe to
keep on the phone; the worker forgets every copy at sign-out and sign-in.
"""
from functools import wraps

from flask import make_response

HEADER = "X-Backpack-Offline"


def keep_offline(view):
    """Mark the view's successful responses as kept for offline reading."""

    @wraps(view)
    def marked(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            response.headers[HEADER] = "keep"
        return response

    return marked


def changes_session(view):
    """Mark a POST view that starts or ends a session: the service worker then forgets every kept page.

    The worker's list of such routes is generated from these marks (pwa.shell), so a new
    sign-in or sign-out route cannot be forgotten there.
    """
    view.changes_session = True
    return view
