"""Where a Client's webhook may point: public addresses over https, checked when registered
and again at every connection, which goes to the address that was checked.

Why both: a URL checked only when it is registered can later resolve elsewhere (a DNS
record changed, or rebinding between a check and a connection), and a URL checked only
when connecting lets a Client register ``http://169.254.169.254/`` and read back from
the delivery statuses what Pledge's network can reach. So the host is resolved once per
connection, every address it resolves to must be public, and the socket connects to
that very address, while the ``Host`` header and TLS server name (SNI, certificate
check) stay the URL's own host. Numeric spellings of addresses (``2130706433``,
``0x7f.1``, ``017700000001``, ``[::ffff:127.0.0.1]``) are decoded the way resolvers
decode them, so they are caught whichever form is used.

Development and tests post to local receivers: ``PLEDGE_WEBHOOK_ALLOW_HOSTS`` names
hosts (``127.0.0.1``, ``localhost``) that may be plain ``http`` and non-public.
Recipients' webhooks come from the policy, which the operator writes, and are not
subject to this guard.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pledge.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
REGISTRATION_LOOKUP_SECONDS = 2.0


class AddressRefused(Exception):
    """The webhook's host is or resolves to an address Pledge will not connect to."""


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any form a resolver accepts; None for a name."""
    bare = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if bare and all(c.isalnum() or c == "." for c in bare) and bare[0].isdigit():
        try:  # inet_aton takes the shorthand and numeric forms: 127.1, 0x7f.1, 2130706433
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: no loopback, private, link-local, shared, reserved, multicast."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
        if address.teredo is not None:
            return False
    return address.is_global and not address.is_multicast


@dataclass(frozen=True)
class WebhookGuard:
    """The rules for Client webhooks, with the development allow-list."""

    allow_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_list(cls, hosts: Iterable[str]) -> WebhookGuard:
        return cls(frozenset(h.strip().lower().strip("[]") for h in hosts if h.strip()))

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookGuard:
        """``PLEDGE_WEBHOOK_ALLOW_HOSTS``, a comma-separated list."""
        return cls.from_list(settings.webhook_allow_hosts.split(","))

    def allowed(self, host: str) -> bool:
        return host.lower().strip("[]") in self.allow_hosts

    def url_problem(self, url: str, *, resolve: bool = False) -> str | None:
        """Why ``url`` may not be a Client's webhook, or None. Never quotes the URL.

        With ``resolve``, a host name is also looked up (briefly; a name that does not
        resolve yet is accepted, since every connection checks again).
        """
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not host:
            return "must name a host"
        try:
            port = parts.port or 443
        except ValueError:
            return "must have a valid port"
        if self.allowed(host):
            return None if parts.scheme in ("https", "http") else "must use https"
        if parts.scheme != "https":
            return "must use https (plain http only to hosts in PLEDGE_WEBHOOK_ALLOW_HOSTS)"
        if parts.username or parts.password:
            return "must not carry credentials"
        literal = literal_address(host)
        if literal is not None:
            return None if is_public(literal) else "must not be a private or local address"
        if host.rstrip(".") in LOCAL_NAMES or host.rstrip(".").endswith(LOCAL_SUFFIXES):
            return "must not be a local host name"
        if resolve:
            found = _lookup_briefly(host, port)
            if found and not all(is_public(address) for address in found):
                return "resolves to a private or local address"
        return None

    def pin(self, host: str, port: int, timeout: float) -> str:
        """The one address to connect to for ``host``; raises AddressRefused.

        Allow-listed hosts resolve as usual; any other host must resolve only to
        public addresses, and the first of them is returned.
        """
        literal = literal_address(host)
        if literal is not None:
            if not self.allowed(host) and not is_public(literal):
                raise AddressRefused("not a public address")
            return str(literal)
        found = _lookup(host, port, timeout)
        if not found:
            raise AddressRefused("the host does not resolve")
        if not self.allowed(host) and not all(is_public(address) for address in found):
            raise AddressRefused("the host resolves to a private or local address")
        return str(found[0])


def _lookup(host: str, port: int, timeout: float) -> list[IPAddress]:
    """getaddrinfo within ``timeout`` (it has no timeout of its own): on a daemon thread."""
    result: list[IPAddress] = []
    done = threading.Event()

    def run() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            for info in infos:
                address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
                if address not in result:
                    result.append(address)
        except (OSError, ValueError, UnicodeError):
            pass
        finally:
            done.set()

    threading.Thread(target=run, name="pledge-resolve", daemon=True).start()
    if not done.wait(max(timeout, 0.0)):
        raise AddressRefused("the host did not resolve in time")
    return list(result)


def _lookup_briefly(host: str, port: int) -> list[IPAddress]:
    try:
        return _lookup(host, port, REGISTRATION_LOOKUP_SECONDS)
    except AddressRefused:
        return []
