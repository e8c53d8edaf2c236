"""Which push endpoints the server will call: public HTTPS hosts only.

A subscription's endpoint is a URL the browser hands us, so anyone signed in could try
to make the server POST to an address inside our network. The rule is the one for every
outbound call (backpack.web.outbound); it runs when a subscription is saved and again
before every send (a name can point elsewhere later). Tests run a push service on
127.0.0.1 and switch NOTIFY_ALLOW_LOCAL_ENDPOINTS on, which admits http:// on loopback
and nothing else.
"""
from flask_babel import lazy_gettext as _l

from backpack.web import outbound
from backpack.web.refusal import Refusal

MAX_ENDPOINT_LENGTH = 1024


class EndpointRefused(Refusal):
    """A push endpoint the server will not call."""


NOT_HTTPS = _l("This browser's push service address is not secure, so we cannot use it.")
NOT_PUBLIC = _l("This browser's push service address is not on the public internet.")
UNKNOWN_HOST = _l("We could not find this browser's push service. Please try again later.")
MESSAGES = {outbound.NOT_PUBLIC: NOT_PUBLIC, outbound.UNKNOWN_HOST: UNKNOWN_HOST}


def check(endpoint: str, *, allow_local: bool) -> None:
    """Raise EndpointRefused unless the server may POST to the endpoint."""
    if not isinstance(endpoint, str) or len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise EndpointRefused(NOT_HTTPS)
    try:
        outbound.check(endpoint, allow_local=allow_local)
    except outbound.OutboundRefused as refused:
        raise EndpointRefused(MESSAGES.get(refused.problem, NOT_HTTPS)) from None
