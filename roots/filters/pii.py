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

Most documents hold no PII, and ``re`` tries a pattern that starts with a lookbehind, a word boundary or
a repeat at every character. So each pattern is only tried (``match``) where it can start, found by fast
searches for something every match holds: an ``@``, an ``=`` or ``:`` with a value after it, a dot
between digits, a colon before another, a run of token characters. ``_find_pii(text, prechecks=False)``
scans the whole text with every pattern instead; the spans are the same.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

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
_KEYWORD = (
    r"(?i)\b(?:api[_-]?key|apikey|access[_-]?key|secret(?:[_-]?key)?|client[_-]?secret|auth[_-]?token"
    r"|access[_-]?token|token|password|passwd|pwd)\b[\"']?\s*"
)
_LONGEST_KEYWORD = len("client_secret")
_ASSIGNMENT = re.compile(_KEYWORD + r"[:=]\s*[\"']?(?P<value>[^\s\"',;]{8,})")
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

# Where each pattern can start. The triggers start with a literal or a small character class, which
# ``re`` skips to instead of trying every character; their lookaheads make ``finditer`` report each one.
_TOKEN_PREFIX = re.compile(r"A(?=KIA|SIA|Iza)|g(?=h[pousr]_|ithub_pat_)|x(?=ox[abposr]-)|s(?=k-)|e(?=yJ)")
_ASSIGNMENT_SIGN = re.compile(r"[:=](?=\s*[\"']?[^\s\"',;]{8})")  # followed by a value
_KEYWORD_BEFORE = re.compile(_KEYWORD + r"\Z")  # searched with ``endpos`` at the sign
_IPV4_FIRST_DOT = re.compile(r"\.(?<=\d\.)(?=\d{1,3}\.\d{1,3}\.\d)")  # 1-3 digits after an address starts
_IPV6_FIRST_COLON = re.compile(r":(?=[0-9A-Fa-f]{0,4}:)")  # 0-4 hex digits after an address starts
# Tokens are ASCII, so ``text.encode("latin-1", "replace")`` (one byte a character) translated by these
# tables has a run of "x" where ``text`` has a run of token characters (with or without dots).
_TOKEN_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-"
_TOKEN_OR_DOT = bytes(ord("x") if byte in _TOKEN_BYTES + b"." else ord(" ") for byte in range(256))
_TOKEN_ONLY = bytes(ord("x") if byte in _TOKEN_BYTES else ord(" ") for byte in range(256))
_SHORTEST_TOKEN = len("xoxb-") + 10  # each _TOKEN_FORMATS match is a run of 15+ [A-Za-z0-9+/=_.-]


def _runs(marks: bytes, length: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each run of ``length`` or more "x" in ``marks``."""
    start = marks.find(b"x" * length)
    while start >= 0:
        end = marks.find(b" ", start)
        yield start, (end if end >= 0 else len(marks))
        start = marks.find(b"x" * length, end) if end >= 0 else -1


def _token_starts(text: str) -> tuple[Iterator[int], Iterator[int]]:
    """Where a token format can start (a prefix such as ``AKIA`` inside a run of 15+ token characters or
    dots) and where a long token can (the start of a run of 32+ token characters)."""
    one_byte_each = text.encode("latin-1", "replace")  # "?" for the other characters
    marks = one_byte_each.translate(_TOKEN_OR_DOT)
    if b"x" * _SHORTEST_TOKEN not in marks:
        return iter(()), iter(())
    formats = (
        prefix.start()
        for start, end in _runs(marks, _SHORTEST_TOKEN)
        for prefix in _TOKEN_PREFIX.finditer(text, start, end)
    )
    return formats, (start for start, _ in _runs(one_byte_each.translate(_TOKEN_ONLY), 32))


def _assignment_starts(text: str) -> Iterator[int]:
    """Where an assignment can start: each keyword start that a sign (``=``, ``:``) with a value after it
    follows, at most the longest keyword, a quote and the spaces before the sign. (Keyword, quote and
    spaces hold no sign, so an assignment's sign is the first one after its start.)"""
    if "=" not in text and ":" not in text:
        return
    for sign in _ASSIGNMENT_SIGN.finditer(text):
        before = sign.start()
        while before > 0 and text[before - 1].isspace():  # str.isspace() is re's \s (tested)
            before -= 1
        keyword = _KEYWORD_BEFORE.search(text, max(0, before - 1 - _LONGEST_KEYWORD), sign.start())
        while keyword is not None:
            yield keyword.start()
            keyword = _KEYWORD_BEFORE.search(text, keyword.start() + 1, sign.start())


def _at_signs(text: str) -> Iterator[int]:
    at = text.find("@")
    while at >= 0:
        yield at
        at = text.find("@", at + 1)


def _in_local_part(char: str) -> bool:
    """``re``'s ``[\\w.+\\-]``, the characters of an address before its ``@`` (tested)."""
    return char.isalnum() or char in "_.+-"


def _email_starts(text: str) -> Iterator[int]:
    """Where the run of local-part characters before each ``@`` starts: the only place the lookbehind
    lets an address with that ``@`` start."""
    for at in _at_signs(text):
        start = at
        while start > 0 and _in_local_part(text[start - 1]):
            start -= 1
        if start < at:
            yield start


def _around(triggers: Iterator[re.Match[str]], before: int, after: int) -> Iterator[int]:
    """Each position from ``before`` characters before a trigger's start to ``after`` after it, ascending."""
    following = 0
    for trigger in triggers:
        first, last = max(following, trigger.start() - before), trigger.start() + after
        yield from range(first, last + 1)
        following = max(following, last + 1)


def _find(pattern: re.Pattern[str], text: str, starts: Iterable[int] | None) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``. Given ``starts``, ascending and holding every position where ``pattern``
    matches, only those are tried: ``match`` there is the attempt ``finditer`` makes (lookarounds see the
    whole text either way). None of the patterns matches the empty string."""
    if starts is None:
        yield from pattern.finditer(text)
        return
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)) is not None:
            yield match
            end = match.end()


def _entropy(token: str) -> float:
    counts = Counter(token)
    return -sum(c / len(token) * math.log2(c / len(token)) for c in counts.values())


def _keys(text: str, prechecks: bool = True) -> Iterator[Span]:
    token_starts, long_token_starts = _token_starts(text) if prechecks else (None, None)
    for match in _PEM.finditer(text):  # starts with a literal: ``re`` skips to it
        yield match.start(), match.end(), "KEY"
    for match in _find(_TOKEN_FORMATS, text, token_starts):
        yield match.start(), match.end(), "KEY"
    for match in _find(_ASSIGNMENT, text, _assignment_starts(text) if prechecks else None):
        value = match.group("value")
        has_letter, has_digit = any(c.isalpha() for c in value), any(c.isdigit() for c in value)
        if (has_letter and has_digit) or len(value) >= 20:
            yield match.start("value"), match.end("value"), "KEY"
    for match in _find(_LONG_TOKEN, text, long_token_starts):
        token = match.group()
        mixed = any(c.isupper() for c in token) and any(c.islower() for c in token)
        if mixed and any(c.isdigit() for c in token) and _entropy(token) >= 4.0:
            yield match.start(), match.end(), "KEY"


def _emails(text: str, prechecks: bool = True) -> Iterator[Span]:
    for match in _find(_EMAIL, text, _email_starts(text) if prechecks else None):
        if match.group("tld").lower() not in _FILE_SUFFIXES:
            yield match.start(), match.end(), "EMAIL"


def _ip_addresses(text: str, prechecks: bool = True) -> Iterator[Span]:
    ipv4_starts = _around(_IPV4_FIRST_DOT.finditer(text), 3, -1) if prechecks else None
    for match in _find(_IPV4, text, ipv4_starts):
        if _VERSION_BEFORE.search(text, max(0, match.start() - 12), match.start()):
            continue
        parts = match.group().split(".")
        if any(len(p) > 1 and p.startswith("0") for p in parts):
            continue  # leading zeros: not how addresses are written (and ipaddress rejects them)
        if _public_looking(match.group()):
            yield match.start(), match.end(), "IP_ADDRESS"
    colons = _IPV6_FIRST_COLON.finditer(text) if ":" in text else iter(())
    for match in _find(_IPV6, text, _around(colons, 4, 0) if prechecks else None):
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


def _users(text: str, prechecks: bool = True) -> Iterator[Span]:
    for match in _find(_USER, text, _at_signs(text) if prechecks else None):
        name = match.group("name")
        if name.lower() in _NOT_HANDLES or name.isdigit():
            continue
        yield match.start(), match.end(), "USER"


DETECTORS: tuple[Callable[[str, bool], Iterator[Span]], ...] = (_keys, _emails, _ip_addresses, _users)


def find_pii(text: str) -> list[Span]:
    """Non-overlapping PII spans, in text order (earlier detector, then longer match, wins)."""
    return _find_pii(text, prechecks=True)


def _find_pii(text: str, prechecks: bool) -> list[Span]:
    """``find_pii``; ``prechecks=False`` runs every pattern over the whole text (the reference the
    prechecks are tested against)."""
    candidates = [
        (priority, span)
        for priority, detect in enumerate(DETECTORS)
        for span in detect(text, prechecks)
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
