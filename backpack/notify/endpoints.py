"""Which push endpoints the server will call: public HTTPS hosts only.

A subscription's endpoint is a URL the browser hands us, so anyone signed in could try
to make the server POST to an address inside our network. We refuse any endpoint that
is not https on port 443, or whose host resolves to a private, loopback, link-local or
otherwise non-public address; the check runs when a subscription is saved and again
before every send (a name can point elsewhere later). Tests run a push service on
127.0.0.1 and switch NOTIFY_ALLOW_LOCAL_ENDPOINTS on, which admits http:// on loopback
and nothing else.
"""
import ipaddress
import socket
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from backpack.web.refusal import Refusal

MAX_ENDPOINT_LENGTH = 1024


class EndpointRefused(Refusal):
    """A push endpoint the server will not call."""


NOT_HTTPS = _l("This browser's push service address is not secure, so we cannot use it.")
NOT_PUBLIC = _l("This browser's push service address is not on the public internet.")
UNKNOWN_HOST = _l("We could not find this browser's push service. Please try again later.")


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _addresses(host: str, port: int) -> list:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise EndpointRefused(UNKNOWN_HOST) from None
    # Zone ids ("fe80::1%eth0") are cut off: the address itself decides.
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]


def check(endpoint: str, *, allow_local: bool) -> None:
    """Raise EndpointRefused unless the server may POST to the endpoint."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise EndpointRefused(NOT_HTTPS)
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise EndpointRefused(NOT_HTTPS) from None
    host = parts.hostname
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        raise EndpointRefused(NOT_HTTPS)
    secure = parts.scheme == "https" and port in (None, 443)
    if parts.scheme not in ("https", "http") or not (secure or allow_local):
        raise EndpointRefused(NOT_HTTPS)
    addresses = _addresses(host, port or (443 if parts.scheme == "https" else 80))
    if not addresses:
        raise EndpointRefused(UNKNOWN_HOST)
    if allow_local and all(address.is_loopback for address in addresses):
        return
    if not secure:
        raise EndpointRefused(NOT_HTTPS)
    if not all(_public(address) for address in addresses):
        raise EndpointRefused(NOT_PUBLIC)
