"""SSRF guard of the bridge process: the host policy of @langguard/host-policy, enforced again here.

The gateway checked the workspace URL and what its name resolved to when the integration was saved,
but DNS can answer differently by the time this process connects (DNS rebinding), and SDKs follow
redirects. So `install()` makes every urllib3 connection (requests, MLflow, databricks-sdk) and every
http.client connection resolve the name itself, refuse if any address is internal, and connect to the
very addresses it checked; and it stops requests from following redirects to another origin.

The policy arrives as JSON in LANGGUARD_HOST_POLICY (see serializeHostPolicy in
packages/host-policy); both sides must give the same verdicts, which the TypeScript tests check.
This module imports nothing from the rest of the package so it can be loaded on its own.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.request import getproxies_environment

# In allowedPorts: every port is allowed (the operator's "SOURCE_ALLOWED_PORTS=*").
ANY_PORT = 0

POLICY_ENV = "LANGGUARD_HOST_POLICY"

# The address facts packages/host-policy states, written here by scripts/bridge-schemas.ts (a test
# fails while the file is stale), so both sides refuse the same addresses even where Python's
# `is_global` and ipaddr.js's `range()` differ (multicast is "global" to Python).
with (Path(__file__).with_name("schemas") / "host-policy.json").open(encoding="utf-8") as _file:
    _SHARED = json.load(_file)

DATABRICKS_DOMAINS = tuple(_SHARED["databricksDomains"])
METADATA_ADDRESSES = tuple(ipaddress.ip_address(a) for a in _SHARED["metadataAddresses"])
BLOCKED_NETWORKS = tuple(ipaddress.ip_network(n) for n in _SHARED["blockedNetworks"])

NAT64 = ipaddress.ip_network("64:ff9b::/96")
MAX_URL_LENGTH = 2048

# Same class as FORBIDDEN in url.ts: parsers drop or reinterpret these, so they never reach parsing.
FORBIDDEN = re.compile("[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\\\\]")
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
DNS_NAME = re.compile(rf"^{LABEL}(?:\.{LABEL})*$")
ENDS_IN_NUMBER = re.compile(r"(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)$")
DEFAULT_PORTS = {"http": 80, "https": 443}

REASONS = {
    "required": "is required",
    "too_long": f"must be at most {MAX_URL_LENGTH} characters",
    "characters": "must not contain spaces, control characters or backslashes",
    "not_absolute": "must be a full URL starting with https://",
    "https": "must use https",
    "http_or_https": "must use http or https",
    "no_host": "must include a host name",
    "userinfo": "must not contain a user name or password",
    "percent": "host name must not be percent-encoded",
    "fragment": "must not contain a fragment (#…)",
    "query": "must not contain a query string (?…)",
    "invalid": "is not a valid URL",
    "ip_literal": "IP addresses are not allowed; use the workspace's host name",
    "trailing_dot": "host name must not end with a dot",
    "dns_name": "host name is not a valid DNS name",
    "domain": "must be a Databricks workspace domain (e.g. https://dbc-xxx.cloud.databricks.com); other hosts need SOURCE_ALLOWED_HOSTS",
}
RESOLVES_INTERNAL = "resolves to a private, internal or reserved address, which is not allowed"
IS_INTERNAL = "is a private, internal or reserved address, which is not allowed"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class PolicyError(ValueError):
    """LANGGUARD_HOST_POLICY is unreadable: refuse to run rather than guess what the operator meant."""


class BlockedHostError(Exception):
    """A connection the host policy forbids. Deliberately not an OSError: urllib3 and requests
    would wrap and retry an OSError, hiding the reason behind "Max retries exceeded"."""

    def __init__(self, host: str, reason: str):
        super().__init__(f"connection to {host} refused: {reason}")
        self.host = host
        self.reason = reason


@dataclass(frozen=True)
class HostPolicy:
    allowed_domains: tuple[str, ...] = DATABRICKS_DOMAINS
    extra_hosts: tuple[str, ...] = ()
    allowed_networks: tuple[Network, ...] = ()
    allow_http: bool = False
    allowed_ports: tuple[int, ...] = (443,)
    # Microsoft Entra ID's login endpoint (SOURCE_ENTRA_LOGIN_URL); None: Microsoft's public one.
    entra_login_url: str | None = None


@dataclass(frozen=True)
class UrlCheck:
    ok: bool
    reason: str | None = None
    url: str | None = None
    hostname: str | None = None
    port: int | None = None


# ------------------------------------------------------------------ policy


def default_policy() -> HostPolicy:
    return HostPolicy()


def load_policy(env: Mapping[str, str] = os.environ) -> HostPolicy:
    """The policy the Node side put in our environment; the Databricks-only default without one."""
    text = env.get(POLICY_ENV)
    return default_policy() if not text else parse_policy(text)


def parse_policy(text: str) -> HostPolicy:
    try:
        data = json.loads(text)
    except ValueError:
        raise PolicyError(f"{POLICY_ENV} is not JSON") from None
    if not isinstance(data, dict) or data.get("v") != 1:
        raise PolicyError(f"{POLICY_ENV} is not a version 1 host policy")

    def strings(key: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PolicyError(f"{POLICY_ENV}: {key} must be a list of strings")
        return value

    ports = data.get("allowedPorts", [443])
    if not isinstance(ports, list) or not all(type(p) is int and 0 <= p <= 65535 for p in ports):
        raise PolicyError(f"{POLICY_ENV}: allowedPorts must be a list of ports")
    allow_http = data.get("allowHttp", False)
    if not isinstance(allow_http, bool):
        raise PolicyError(f"{POLICY_ENV}: allowHttp must be true or false")
    networks = []
    for cidr in strings("allowedNetworks"):
        network = _parse_network(cidr)
        if network is None:
            raise PolicyError(f"{POLICY_ENV}: {cidr!r} is not a CIDR range")
        networks.append(network)
    entra = data.get("entraLoginUrl")
    if entra is not None and (not isinstance(entra, str) or not SCHEME.match(entra)):
        raise PolicyError(f"{POLICY_ENV}: entraLoginUrl must be an http(s) URL")
    return HostPolicy(
        entra_login_url=entra,
        allowed_domains=tuple(_strip_dot(d).lstrip(".") for d in strings("allowedDomains")),
        extra_hosts=tuple(_strip_dot(h) for h in strings("extraHosts")),
        allowed_networks=tuple(networks),
        allow_http=allow_http,
        allowed_ports=tuple(ports),
    )


def serialize_policy(policy: HostPolicy) -> str:
    return json.dumps(
        {
            "v": 1,
            "allowedDomains": list(policy.allowed_domains),
            "extraHosts": list(policy.extra_hosts),
            "allowedNetworks": [str(n) for n in policy.allowed_networks],
            "allowHttp": policy.allow_http,
            "allowedPorts": list(policy.allowed_ports),
            **({"entraLoginUrl": policy.entra_login_url} if policy.entra_login_url else {}),
        },
        separators=(",", ":"),
    )


def _parse_network(cidr: str) -> Network | None:
    # Strict like parseNetwork in networks.ts: "127.1/8" is a spelling trick, not a network.
    match = re.fullmatch(r"\[?([^/\]]+)\]?/(\d{1,3})", cidr.strip())
    address = _parse_address(match.group(1)) if match else None
    if match is None or address is None:
        return None
    try:
        return ipaddress.ip_network(f"{address}/{match.group(2)}", strict=False)
    except ValueError:
        return None


def _parse_address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return None if address.version == 6 and "%" in text else address


def _strip_dot(host: str) -> str:
    host = host.lower()
    return host[:-1] if host.endswith(".") else host


# ------------------------------------------------------------------ addresses


def _embedded_ipv4(address: Address) -> Address:
    """Where a packet really goes: IPv4-mapped, NAT64 (how DNS64 networks reach IPv4-only hosts,
    Databricks included) and 6to4 addresses carry an IPv4 address that decides the verdict."""
    if address.version == 4:
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return address


def _in_networks(address: Address, networks) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def blocked_address_reason(ip: str | Address, policy: HostPolicy) -> str | None:
    """None when a connection to `ip` may be made. Only allowed_networks lifts a block: a host
    name in extra_hosts never allows the internal address it resolves to."""
    try:
        address = ipaddress.ip_address(str(ip).strip("[]").split("%", 1)[0])
    except ValueError:
        return "is not an IP address"
    target = _embedded_ipv4(address)
    if _in_networks(address, policy.allowed_networks) or _in_networks(target, policy.allowed_networks):
        return None
    if target in METADATA_ADDRESSES:
        return "is a cloud metadata service address"
    if not target.is_global or target.is_multicast or target.is_reserved or target.is_unspecified or target.is_loopback or target.is_link_local or _in_networks(target, BLOCKED_NETWORKS):
        return "is in a blocked address range"
    return None


def is_blocked_address(ip: str | Address, policy: HostPolicy) -> bool:
    return blocked_address_reason(ip, policy) is not None


# ------------------------------------------------------------------ URLs


def _host_name_allowed(host: str, policy: HostPolicy) -> bool:
    host = _strip_dot(host)

    def under(suffix: str) -> bool:
        return host.endswith("." + suffix) and len(host) > len(suffix) + 1

    if any(under(d) for d in policy.allowed_domains):
        return True
    return any(under(e[2:]) if e.startswith("*.") else host == e for e in policy.extra_hosts)


def _ip_literal_allowed(address: Address, policy: HostPolicy) -> bool:
    target = _embedded_ipv4(address)
    for entry in policy.extra_hosts:
        listed = _parse_address(entry.strip("[]"))
        if listed is not None and _embedded_ipv4(listed) == target:
            return True
    return _in_networks(address, policy.allowed_networks) or _in_networks(target, policy.allowed_networks)


def check_url(url: str, policy: HostPolicy) -> UrlCheck:
    """Mirror of checkSourceUrl: the raw text first (what parsers forgive is what attackers use),
    then the host as the WHATWG parser would canonicalise it: IDNA with full-width dots, and
    every IPv4 spelling inet_aton accepts ("127.1", "0x7f000001", "0177.0.0.1") read as an address."""
    if not isinstance(url, str) or url == "":
        return _refuse("required")
    if len(url) > MAX_URL_LENGTH:
        return _refuse("too_long")
    if FORBIDDEN.search(url):
        return _refuse("characters")
    match = SCHEME.match(url)
    if not match:
        return _refuse("not_absolute")
    scheme = match.group(1).lower()
    if scheme != "https" and not (scheme == "http" and policy.allow_http):
        return _refuse("http_or_https" if policy.allow_http else "https")

    rest = url[match.end() :]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    path = rest[len(authority) :]
    if authority == "":
        return _refuse("no_host")
    if "@" in authority:
        return _refuse("userinfo")
    if "%" in authority:
        return _refuse("percent")
    if "#" in url:
        return _refuse("fragment")
    if "?" in url:
        return _refuse("query")

    parsed = _split_authority(authority)
    if parsed is None:
        return _refuse("invalid")
    host, port_text = parsed
    port = DEFAULT_PORTS[scheme] if port_text == "" else int(port_text)

    if host.startswith("["):
        address = _parse_address(host[1:-1])
        if address is None:
            return _refuse("invalid")
        hostname = f"[{address.compressed}]"
        if not _ip_literal_allowed(address, policy):
            return _refuse("ip_literal")
    else:
        try:
            hostname = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return _refuse("invalid")
        bare = hostname[:-1] if hostname.endswith(".") else hostname
        if ENDS_IN_NUMBER.search(bare):
            try:
                address = ipaddress.IPv4Address(socket.inet_ntoa(socket.inet_aton(bare)))
            except OSError:
                return _refuse("invalid")
            hostname = str(address)
            if not _ip_literal_allowed(address, policy):
                return _refuse("ip_literal")
        elif hostname.endswith("."):
            return _refuse("trailing_dot")
        elif len(hostname) > 253 or not DNS_NAME.match(hostname):
            return _refuse("dns_name")
        elif not _host_name_allowed(hostname, policy):
            return _refuse("domain")

    allowed_ports = sorted({DEFAULT_PORTS[scheme], *policy.allowed_ports})
    if port not in allowed_ports and ANY_PORT not in policy.allowed_ports:
        return UrlCheck(False, f"port {port} is not allowed (only {', '.join(map(str, allowed_ports))})")
    netloc = hostname if port == DEFAULT_PORTS[scheme] else f"{hostname}:{port}"
    return UrlCheck(True, url=f"{scheme}://{netloc}{path.rstrip('/')}", hostname=hostname, port=port)


def _split_authority(authority: str) -> tuple[str, str] | None:
    if authority.startswith("["):
        end = authority.find("]")
        host, rest = authority[: end + 1], authority[end + 1 :]
        if end < 0 or (rest and not rest.startswith(":")):
            return None
        port = rest[1:]
    else:
        host, _, port = authority.partition(":")
        if ":" in port or host == "":
            return None
    if port and (not port.isascii() or not port.isdigit() or int(port) > 65535):
        return None
    return host, port


def _refuse(key: str) -> UrlCheck:
    return UrlCheck(False, REASONS[key])


def blocked_cause(exc: BaseException) -> BlockedHostError | None:
    """The BlockedHostError behind `exc`, if any: MLflow re-raises whatever requests raised as an
    MlflowException, keeping ours only as the context."""
    seen = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, BlockedHostError) or type(cause).__name__ == "BlockedHostError":
            return cause  # type: ignore[return-value]
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


# ------------------------------------------------------------------ connect-time enforcement


class _State:
    def __init__(self) -> None:
        self.policy: HostPolicy | None = None
        self.lock = threading.Lock()


_state = _State()
_MARK = "_langguard_netguard_state"


def install(policy: HostPolicy) -> None:
    """Enforce `policy` on every connection of this process from now on. Safe to call again: the
    hooks go in once and later calls only replace the policy, even from a second copy of this
    module (loaded by path rather than as langguard_bridge.netguard)."""
    with _state.lock:
        state = _install_hooks()
        state.policy = policy


def installed_policy() -> HostPolicy | None:
    return _state.policy


def _install_hooks() -> _State:
    existing = getattr(socket.create_connection, _MARK, None)
    if existing is not None:
        return existing
    socket.create_connection = _guard(socket.create_connection, lambda: socket.AF_UNSPEC)
    # http.client binds socket.create_connection per connection object in __init__, so patching
    # the socket module covers urllib.request; urllib3 has its own copy, patched below.
    try:
        import urllib3.connection
        import urllib3.util.connection as u3
    except ImportError:
        pass
    else:
        original = u3.create_connection
        u3.create_connection = _guard(original, u3.allowed_gai_family)
        # urllib3 2.x calls it through the module (connection.create_connection); 1.x-era code
        # and forks imported the function by name, so replace any such copy as well.
        for module in (urllib3.connection, getattr(urllib3.util, "connection", None)):
            if module is not None and getattr(module, "create_connection", None) is original:
                module.create_connection = u3.create_connection  # type: ignore[union-attr]
    _guard_redirects()
    return _state


def _guard(original: Callable[..., socket.socket], family: Callable[[], int]) -> Callable[..., socket.socket]:
    def create_connection(address, *args: Any, **kwargs: Any) -> socket.socket:
        policy = _state.policy
        host, port = address[0], address[1]
        bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        if policy is None or _is_env_proxy(bare, port):
            return original(address, *args, **kwargs)
        shown = _strip_dot(bare)
        answers = socket.getaddrinfo(bare, port, family(), socket.SOCK_STREAM)
        ips = list(dict.fromkeys(sa[0] for *_, sa in answers))
        if not ips:
            raise OSError("getaddrinfo returns an empty list")
        # Any internal answer refuses the name, as resolveAndCheck does on the gateway.
        if any(is_blocked_address(str(ip), policy) for ip in ips):
            raise BlockedHostError(shown, IS_INTERNAL if _parse_address(shown) else RESOLVES_INTERNAL)
        # Connect to the addresses just checked, never to the name: resolving again is the rebinding window.
        error: OSError | None = None
        for ip in ips:
            try:
                return original((ip, port), *args, **kwargs)
            except OSError as exc:
                error = exc
        raise error  # type: ignore[misc]

    setattr(create_connection, _MARK, _state)
    create_connection.__wrapped__ = original  # type: ignore[attr-defined]
    return create_connection


def _is_env_proxy(host: str, port: int) -> bool:
    """Connections to the operator's HTTP(S)_PROXY/ALL_PROXY are exempt: through a proxy the
    target name is resolved and connected to by the proxy, not here, so only the proxy can enforce
    egress (it must), and its own address is often internal by design. The URL check still applies
    to the target, and the proxy comes from the environment the operator controls, never from users."""
    host = _strip_dot(host)
    for key, value in getproxies_environment().items():
        if key == "no" or not value:
            continue
        proxy = urlsplit(value if "://" in value else f"http://{value}")
        try:
            proxy_port = proxy.port or {"https": 443, "socks5": 1080, "socks5h": 1080, "socks4": 1080}.get(proxy.scheme, 80)
        except ValueError:
            continue
        if proxy.hostname and _strip_dot(proxy.hostname) == host and proxy_port == int(port):
            return True
    return False


# ------------------------------------------------------------------ redirects


def origin_of(url: str) -> tuple[str, str, int | None]:
    """(scheme, host without a trailing dot, port): what "the same origin" compares."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        port = -1
    return scheme, _strip_dot(parts.hostname or ""), port


def _guard_redirects() -> None:
    """requests follows redirects to any host, carrying our caller there; only same-origin ones are
    followed now, and a cross-origin 3xx reaches the caller as the error it is."""
    try:
        from requests.sessions import SessionRedirectMixin
    except ImportError:
        return
    original = SessionRedirectMixin.get_redirect_target
    if getattr(original, _MARK, None) is not None:
        return

    def get_redirect_target(self, resp):
        target = original(self, resp)
        if not target or not resp.url:
            return target
        if origin_of(urljoin(resp.url, target)) != origin_of(resp.url):
            return None
        return target

    setattr(get_redirect_target, _MARK, _state)
    SessionRedirectMixin.get_redirect_target = get_redirect_target  # type: ignore[method-assign]
