"""IP networks and email domains: the forms sanctions store, and every stored form that
covers an address, so a lookup is an indexed `IN (...)` rather than a scan.

Used by the sanction write paths (comments.sanctions: validation), the sanction lookup
(comments.selectors) and the policy's blocklist (comments.moderation).
"""

from __future__ import annotations

import ipaddress
import re


def normalize_email(email: str) -> str:
    """An address as it is stored, matched and sanctioned: trimmed, lower-cased (the
    whole address, as WordPress and django-comments-xtd compare them)."""
    return email.strip().lower()


def normalize_ip_network(value: str) -> str:
    """The stored form of a sanction's IP target: a bare address for a single host
    (`192.0.2.7`, `2001:db8::1`), else the network in CIDR form with its host bits
    cleared (`192.0.2.0/24`). Raises ValueError for anything else."""
    network = ipaddress.ip_network(value.strip(), strict=False)
    mapped = getattr(network.network_address, "ipv4_mapped", None)
    if mapped is not None and network.prefixlen >= 96:
        # ::ffff:192.0.2.0/120 is 192.0.2.0/24, the form the lookup uses.
        network = ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}", strict=False)
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


def ip_network_candidates(ip: str | None) -> list[str]:
    """Every stored form that covers `ip`: the address itself and each network that
    contains it (33 strings for IPv4, 129 for IPv6; an IPv4-mapped IPv6 address counts
    as IPv4), so a sanction lookup is an indexed `ip_network IN (...)` instead of parsing
    every stored network. The strings are exactly `normalize_ip_network`'s, built from
    the integer (`ipaddress` objects for 129 networks would cost milliseconds)."""
    if not ip:
        return []
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return []
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    candidates = [str(address)]
    value = int(address)
    if address.version == 4:
        for prefix in range(32):
            net = value & ~((1 << (32 - prefix)) - 1)
            candidates.append(
                f"{net >> 24}.{(net >> 16) & 255}.{(net >> 8) & 255}.{net & 255}/{prefix}"
            )
        return candidates
    hextets = [(value >> shift) & 0xFFFF for shift in range(112, -16, -16)]
    full = [format(hextet, "x") for hextet in hextets]
    for prefix in range(128):
        index, bits = divmod(prefix, 16)
        masked = format(hextets[index] & (0xFFFF ^ ((1 << (16 - bits)) - 1)), "x")
        parts = [*full[:index], masked, *["0"] * (7 - index)]
        candidates.append(f"{_compressed_ipv6(parts)}/{prefix}")
    return candidates


def _compressed_ipv6(parts: list[str]) -> str:
    """RFC 5952 text (what `ipaddress` prints) of eight hextets in lower-case hex: the
    longest run of two or more zero groups, the first of equal runs, becomes "::"."""
    best_start, best_length, start = -1, 1, -1
    for index, part in enumerate(parts):
        if part != "0":
            start = -1
            continue
        if start < 0:
            start = index
        if index - start + 1 > best_length:
            best_start, best_length = start, index - start + 1
    if best_start < 0:
        return ":".join(parts)
    return ":".join(parts[:best_start]) + "::" + ":".join(parts[best_start + best_length :])


def ip_in_any_network(ip: str, entries: list[str]) -> bool:
    """Whether `ip` is one of the addresses or networks listed (the policy's blocklist,
    free text: a malformed line matches nothing)."""
    address = ipaddress.ip_address(ip)
    for entry in entries:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a malformed line in the policy blocks nothing
    return False


_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def normalize_email_domain(value: str) -> str:
    """The stored form of a sanction's domain: lower-case, without "@" or dots around.
    Raises ValueError unless it looks like a domain with at least one dot."""
    domain = value.strip().lower().lstrip("@").strip(".")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(value) from None
    if not _DOMAIN.match(domain):
        raise ValueError(value)
    return domain


def email_domain_candidates(email: str) -> list[str]:
    """The address's domain and every parent domain: a sanction on `example.com` covers
    `mail.example.com` too (as the blocklist does)."""
    domain = email.rpartition("@")[2].strip(".").lower()
    if not domain:
        return []
    parts = domain.split(".")
    return [".".join(parts[index:]) for index in range(len(parts))]
