"""ROOTS-style PII redaction: e-mail addresses, IP addresses, keys/secrets and user handles.

BigScience redacted the high-risk tags KEY, EMAIL, USER and IP_ADDRESS of OSCAR, replacing each match
by ``PI:<TAG>``. These detectors are written from that description (no upstream regex is copied):

* ``PI:KEY``: PEM private-key blocks, well-known token formats (AWS ``AKIA…``, GitHub ``ghp_…``, Slack
  ``xox…-``, Google ``AIza…``, JWTs), the value of ``password=`` / ``api_key:`` / ``secret=`` style
  assignments (at least 8 characters with a letter and a digit, or 20+ characters), and long
  high-entropy tokens (32+ characters mixing upper case, lower case and digits; hex digests are kept);
* ``PI:EMAIL``: ``local@domain.tld`` (image names such as ``icon@2x.png`` are kept);
* ``PI:IP_ADDRESS``: IPv4 and IPv6 addresses that ``ipaddress`` accepts; version numbers (``v1.2.3.4``,
  ``version 10.0.0.1``, longer dotted runs), loopback, unspecified and broadcast addresses are kept;
* ``PI:USER``: ``@handle`` mentions that are not part of an e-mail address and not a code annotation
  (``@param``, ``@media``, ``@property`` …).

When matches overlap, the earlier detector in that order wins, then the longer match.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator

TAGS = ("EMAIL", "IP_ADDRESS", "KEY", "USER")
Span = tuple[int, int, str]  # start, end, tag

_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?-----END [A-Z0-9 ]*PRIVATE KEY-----", re.DOTALL)
_TOKEN_FORMATS = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key id
    r"|gh[pousr]_[A-Za-z0-9]{36,}"  # GitHub tokens
    r"|github_pat_[A-Za-z0-9_]{40,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|AIza[0-9A-Za-z_\-]{35}"  # Google API key
    r"|sk-[A-Za-z0-9_\-]{20,}"  # "sk-" secret keys
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"  # JWT
    r")(?![A-Za-z0-9])"
)
_ASSIGNMENT = re.compile(
    r"(?i)\b(?:api[_-]?key|apikey|access[_-]?key|secret(?:[_-]?key)?|client[_-]?secret|auth[_-]?token"
    r"|access[_-]?token|token|password|passwd|pwd)\b[\"']?\s*[:=]\s*[\"']?(?P<value>[^\s\"',;]{8,})"
)
_LONG_TOKEN = re.compile(r"(?<![A-Za-z0-9+/=_\-])[A-Za-z0-9+/=_\-]{32,}(?![A-Za-z0-9+/=_\-])")

_EMAIL = re.compile(
    r"(?<![\w.+\-])[\w.+\-]*\w@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.(?P<tld>[A-Za-z]{2,24})(?![\w\-])"
)
_FILE_SUFFIXES = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "pdf", "tif", "tiff"})

_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])"
)
_VERSION_BEFORE = re.compile(r"(?i)(?:\bv|\bver\.?|\bversion|\brelease|\bbuild|\brev\.?)\s*$")

_USER = re.compile(r"(?<![\w@.+\-/])@(?P<name>[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,38}[A-Za-z0-9_])?)(?![\w@\-])")
_NOT_HANDLES = frozenset(
    {
        # code annotations and at-rules that look like mentions
        "param", "return", "returns", "throws", "raise", "raises", "see", "since", "deprecated", "author",
        "version", "link", "override", "property", "staticmethod", "classmethod", "dataclass", "media",
        "import", "charset", "keyframes", "supports", "font", "page", "namespace", "interface", "end",
        "implementation", "synthesize", "type", "example", "todo", "file", "brief", "inheritdoc", "test",
        "before", "after", "mock", "patch", "app", "pytest", "click", "route", "echo", "if", "else",
    }
)  # fmt: skip


def _entropy(token: str) -> float:
    counts = Counter(token)
    return -sum(c / len(token) * math.log2(c / len(token)) for c in counts.values())


def _keys(text: str) -> Iterator[Span]:
    for match in _PEM.finditer(text):
        yield match.start(), match.end(), "KEY"
    for match in _TOKEN_FORMATS.finditer(text):
        yield match.start(), match.end(), "KEY"
    for match in _ASSIGNMENT.finditer(text):
        value = match.group("value")
        has_letter, has_digit = any(c.isalpha() for c in value), any(c.isdigit() for c in value)
        if (has_letter and has_digit) or len(value) >= 20:
            yield match.start("value"), match.end("value"), "KEY"
    for match in _LONG_TOKEN.finditer(text):
        token = match.group()
        mixed = any(c.isupper() for c in token) and any(c.islower() for c in token)
        if mixed and any(c.isdigit() for c in token) and _entropy(token) >= 4.0:
            yield match.start(), match.end(), "KEY"


def _emails(text: str) -> Iterator[Span]:
    for match in _EMAIL.finditer(text):
        if match.group("tld").lower() not in _FILE_SUFFIXES:
            yield match.start(), match.end(), "EMAIL"


def _ip_addresses(text: str) -> Iterator[Span]:
    for match in _IPV4.finditer(text):
        if _VERSION_BEFORE.search(text, max(0, match.start() - 12), match.start()):
            continue
        parts = match.group().split(".")
        if any(len(p) > 1 and p.startswith("0") for p in parts):
            continue  # leading zeros: not how addresses are written (and ipaddress rejects them)
        if _public_looking(match.group()):
            yield match.start(), match.end(), "IP_ADDRESS"
    for match in _IPV6.finditer(text):
        candidate = match.group()
        # a digit and 6+ characters: keeps C++ scopes such as ``Ab::Cd`` (valid IPv6 syntax) out
        if len(candidate) >= 6 and any(c.isdigit() for c in candidate) and _public_looking(candidate):
            yield match.start(), match.end(), "IP_ADDRESS"


def _public_looking(candidate: str) -> bool:
    """A valid address that identifies a host (not loopback, unspecified or broadcast)."""
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return False
    if address.is_loopback or address.is_unspecified:
        return False
    return not (address.version == 4 and str(address) == "255.255.255.255")


def _users(text: str) -> Iterator[Span]:
    for match in _USER.finditer(text):
        name = match.group("name")
        if name.lower() in _NOT_HANDLES or name.isdigit():
            continue
        yield match.start(), match.end(), "USER"


DETECTORS: tuple[Callable[[str], Iterator[Span]], ...] = (_keys, _emails, _ip_addresses, _users)


def find_pii(text: str) -> list[Span]:
    """Non-overlapping PII spans, in text order (earlier detector, then longer match, wins)."""
    candidates = [
        (priority, span)
        for priority, detect in enumerate(DETECTORS)
        for span in detect(text)
        if span[1] > span[0]
    ]
    candidates.sort(key=lambda c: (c[0], -(c[1][1] - c[1][0]), c[1][0]))
    taken: list[Span] = []
    for _, span in candidates:
        if all(span[1] <= s[0] or span[0] >= s[1] for s in taken):
            taken.append(span)
    return sorted(taken)


def redact_pii(text: str) -> tuple[str, dict[str, int]]:
    """``text`` with every PII match replaced by ``PI:<TAG>``, and the number of matches per tag."""
    counts = dict.fromkeys(TAGS, 0)
    spans = find_pii(text)
    if not spans:
        return text, counts
    pieces: list[str] = []
    position = 0
    for start, end, tag in spans:
        pieces += [text[position:start], f"PI:{tag}"]
        counts[tag] += 1
        position = end
    pieces.append(text[position:])
    return "".join(pieces), counts
