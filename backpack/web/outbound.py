"""Which addresses the server will call, and a small fetcher that only calls those.

Push endpoints and badge URLs are addresses someone else hands us, so anyone signed in
could try to make the server call an address inside our network. Only public HTTPS on
port 443 is allowed: the host must resolve to public addresses only, and an IPv6 address
that wraps an IPv4 one (NAT64, 6to4, mapped and the like) must wrap a public one. The
fetcher then connects to the very address it checked (a name cannot point elsewhere
between the check and the call), follows a few redirects checking each, and stops
reading at a size cap.
Tests run servers on 127.0.0.1 and pass allow_local, which admits http:// on loopback
and nothing else.
"""
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_URL_LENGTH = 2048
MAX_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)

NOT_HTTPS = "not-https"
NOT_PUBLIC = "not-public"
UNKNOWN_HOST = "unknown-host"
UNREACHABLE = "unreachable"
TOO_LARGE = "too-large"


class OutboundRefused(Exception):
    """An address the server will not call, or a call that failed; `problem` says which."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


# Packets to these IPv6 ranges go on to the IPv4 address in their last 32 bits: NAT64's
# well-known prefix, the deprecated IPv4-compatible form and the IPv4-translated form.
_IPV4_IN_LOW_BITS = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
)
# Local-use NAT64 puts the IPv4 address wherever the operator chose, and Teredo reaches
# a client behind some relay: the real destination cannot be read, so both are refused.
_UNREADABLE = (
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("2001::/32"),
)


def _carried(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that packets to this IPv6 address end up at, if it wraps one."""
    if address.sixtofour:
        return address.sixtofour
    if any(address in network for network in _IPV4_IN_LOW_BITS):
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def _public(address: Address) -> bool:
    """Whether an address is globally routable; one wrapping IPv4 must wrap a public one.

    An IPv4-mapped address is an IPv4 address in IPv6 notation, so the IPv4 alone decides;
    the other wrappings must be routable themselves as well.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return _public(address.ipv4_mapped)
        if any(address in network for network in _UNREADABLE):
            return False
        carried = _carried(address)
        if carried is not None and not _public(carried):
            return False
    return address.is_global and not address.is_multicast


def _addresses(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise OutboundRefused(UNKNOWN_HOST) from None
    # Zone ids ("fe80::1%eth0") are cut off: the address itself decides.
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]


def check(url: str, *, allow_local: bool) -> list[Address]:
    """Return the addresses the server may call for this URL; raise OutboundRefused otherwise."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise OutboundRefused(NOT_HTTPS)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise OutboundRefused(NOT_HTTPS) from None
    host = parts.hostname
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        raise OutboundRefused(NOT_HTTPS)
    secure = parts.scheme == "https" and port in (None, 443)
    if parts.scheme not in ("https", "http") or not (secure or allow_local):
        raise OutboundRefused(NOT_HTTPS)
    addresses = _addresses(host, port or (443 if parts.scheme == "https" else 80))
    if not addresses:
        raise OutboundRefused(UNKNOWN_HOST)
    if allow_local and all(address.is_loopback for address in addresses):
        return addresses
    if not secure:
        raise OutboundRefused(NOT_HTTPS)
    if not all(_public(address) for address in addresses):
        raise OutboundRefused(NOT_PUBLIC)
    return addresses


@dataclass(frozen=True)
class Fetched:
    """What a server answered: the final URL, its status, content type and body."""

    url: str
    status: int
    content_type: str
    body: bytes


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address, verifying the certificate for the host name."""

    def __init__(self, host: str, address: Address, **kwargs):
        super().__init__(host, **kwargs)
        self.address = address

    def connect(self):
        sock = socket.create_connection((str(self.address), self.port), self.timeout)
        try:
            self.sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


class _PinnedHTTP(http.client.HTTPConnection):
    """A plain connection to a checked loopback address (tests only)."""

    def __init__(self, host: str, address: Address, **kwargs):
        super().__init__(host, **kwargs)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((str(self.address), self.port), self.timeout)


def _get(url: str, address: Address, *, timeout: float, max_bytes: int, accept: str) -> Fetched:
    parts = urlsplit(url)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, address, port=parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("GET", target, headers={"Accept": accept, "User-Agent": "Backpack"})
        with connection.getresponse() as response:
            body = response.read(max_bytes + 1)
            location = response.getheader("Location") or ""
            content_type = response.getheader("Content-Type") or ""
        if len(body) > max_bytes:
            raise OutboundRefused(TOO_LARGE)
        final = urljoin(url, location) if response.status in REDIRECTS and location else url
        return Fetched(final, response.status, content_type, body)
    except (OSError, http.client.HTTPException, ValueError):
        raise OutboundRefused(UNREACHABLE) from None
    finally:
        connection.close()


def fetch(url: str, *, allow_local: bool, timeout: float = 5.0, max_bytes: int = 1 << 20,
          accept: str = "*/*") -> Fetched:
    """GET a URL the server may call, following up to three checked redirects."""
    for _hop in range(MAX_REDIRECTS + 1):
        address = check(url, allow_local=allow_local)[0]
        answer = _get(url, address, timeout=timeout, max_bytes=max_bytes, accept=accept)
        if answer.status not in REDIRECTS or answer.url == url:
            return answer
        url = answer.url
    raise OutboundRefused(UNREACHABLE)
