"""The outbound guard refuses private addresses, also when IPv6 wraps them around IPv4."""
import ipaddress
import socket

import pytest

from backpack.web import outbound
from backpack.web.outbound import NOT_HTTPS, NOT_PUBLIC, OutboundRefused, check

PRIVATE_IPV4 = ("127.0.0.1", "10.0.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1")
TEREDO_SERVER = int(ipaddress.IPv4Address("65.54.227.120"))


def _v6(text: str) -> int:
    return int(ipaddress.IPv6Address(text))


# Each form puts the IPv4 address (as an int) where that transition scheme carries it.
WRAPPINGS = {
    "nat64": lambda v4: _v6("64:ff9b::") | v4,
    "local-nat64": lambda v4: _v6("64:ff9b:1::") | v4,
    "6to4": lambda v4: _v6("2002::1") | v4 << 80,
    "teredo-client": lambda v4: _v6("2001::8000:63bf:0:0") | TEREDO_SERVER << 64 | v4 ^ 0xFFFF_FFFF,
    "teredo-server": lambda v4: _v6("2001::8000:63bf:c0ff:fdd2") | v4 << 64,
    "compatible": lambda v4: v4,
    "mapped": lambda v4: _v6("::ffff:0:0") | v4,
    "translated": lambda v4: _v6("::ffff:0:0:0") | v4,
}


def wrap(form: str, ipv4: str) -> str:
    return str(ipaddress.IPv6Address(WRAPPINGS[form](int(ipaddress.IPv4Address(ipv4)))))


def test_the_wrappings_are_the_textbook_ones():
    loopback = {form: ipaddress.IPv6Address(wrap(form, "127.0.0.1")) for form in WRAPPINGS}
    assert loopback == {form: ipaddress.IPv6Address(text) for form, text in {
        "nat64": "64:ff9b::7f00:1",
        "local-nat64": "64:ff9b:1::7f00:1",
        "6to4": "2002:7f00:1::1",
        "teredo-client": "2001:0:4136:e378:8000:63bf:80ff:fffe",
        "teredo-server": "2001:0:7f00:1:8000:63bf:c0ff:fdd2",
        "compatible": "::7f00:1",
        "mapped": "::ffff:127.0.0.1",
        "translated": "::ffff:0:7f00:1",
    }.items()}
    assert loopback["6to4"].sixtofour == ipaddress.IPv4Address("127.0.0.1")
    server, client = loopback["teredo-client"].teredo
    assert (str(server), str(client)) == ("65.54.227.120", "127.0.0.1")
    server, _client = loopback["teredo-server"].teredo
    assert str(server) == "127.0.0.1"


@pytest.mark.parametrize("form", WRAPPINGS)
@pytest.mark.parametrize("ipv4", PRIVATE_IPV4)
def test_ipv6_wrapping_a_private_ipv4_is_refused(form, ipv4):
    with pytest.raises(OutboundRefused) as refused:
        check(f"https://[{wrap(form, ipv4)}]/x", allow_local=False)
    assert refused.value.problem == NOT_PUBLIC


@pytest.mark.parametrize("address", [
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::5db8:d70e",
    "64:ff9b:1:5db8:d7:e00::",
    "2002:7f00:1::1",
    "2002:a00:1::1",
    "2001:0:4136:e378:8000:63bf:a2a4:28f1",
    "::7f00:1",
    "::ffff:0:a00:1",
    "::ffff:169.254.169.254",
    "64:ff9b::e000:1",
    "ff0e::1",
    "::1",
    "fe80::1",
    "fd00::1",
    "2001:db8::1",
])
def test_more_addresses_that_are_not_public(address):
    with pytest.raises(OutboundRefused) as refused:
        check(f"https://[{address}]/x", allow_local=False)
    assert refused.value.problem == NOT_PUBLIC


@pytest.mark.parametrize("host", [
    "93.184.215.14",
    "[2606:4700::1111]",
    "[::ffff:93.184.215.14]",
    "[64:ff9b::5db8:d70e]",
])
def test_public_addresses_pass(host):
    assert check(f"https://{host}/x", allow_local=False)


def _resolving(monkeypatch, answers):
    def getaddrinfo(host, port, *args, **kwargs):
        found = []
        for text in answers[host]:
            address = ipaddress.ip_address(text)
            if address.version == 6:
                found.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (text, port, 0, 0)))
            else:
                found.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (text, port)))
        return found

    monkeypatch.setattr(outbound.socket, "getaddrinfo", getaddrinfo)


def test_a_name_resolving_to_a_wrapped_private_address_is_refused(monkeypatch):
    _resolving(monkeypatch, {
        "sneaky.example": ["93.184.215.14", "64:ff9b::a9fe:a9fe"],
        "tunnel.example": ["2002:c0a8:101::1"],
        "fine.example": ["93.184.215.14", "2606:4700::1111"],
    })
    for name in ("sneaky.example", "tunnel.example"):
        with pytest.raises(OutboundRefused) as refused:
            check(f"https://{name}/x", allow_local=False)
        assert refused.value.problem == NOT_PUBLIC
    assert len(check("https://fine.example/x", allow_local=False)) == 2


@pytest.mark.parametrize("url", ["http://127.0.0.1:5000/x", "http://[::1]:5000/x"])
def test_allow_local_admits_loopback(url):
    assert check(url, allow_local=True)


@pytest.mark.parametrize("url, problem", [
    ("http://10.0.0.1:5000/x", NOT_HTTPS),
    ("http://[64:ff9b::7f00:1]:5000/x", NOT_HTTPS),
    ("http://[::ffff:0:7f00:1]:5000/x", NOT_HTTPS),
    ("https://[64:ff9b::7f00:1]/x", NOT_PUBLIC),
    ("https://[2002:7f00:1::1]/x", NOT_PUBLIC),
    ("https://192.168.1.1/x", NOT_PUBLIC),
])
def test_allow_local_admits_nothing_but_loopback(url, problem):
    with pytest.raises(OutboundRefused) as refused:
        check(url, allow_local=True)
    assert refused.value.problem == problem
