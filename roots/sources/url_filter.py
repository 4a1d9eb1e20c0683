"""URL and domain allow/block lists (ROOTS' pseudo-crawl started from seed domain lists).

A domain entry matches the host and all its subdomains (``example.com`` matches
``news.example.com``); a URL entry is a prefix of the URL. Block lists win over allow lists; when any
allow list is given, a URL must match one of them. An entry ``@FILE`` reads one entry per line from
FILE (blank lines and ``#`` comments ignored).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from roots.errors import UserError


def load_entries(entries: Iterable[str], key: str) -> tuple[str, ...]:
    """Entries with ``@FILE`` references expanded."""
    out: list[str] = []
    for entry in entries:
        if entry.startswith("@"):
            path = Path(entry[1:]).expanduser()
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise UserError(
                    f"{key}: cannot read the list {path} ({exc}); give a UTF-8 text file"
                ) from None
            out.extend(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
        elif entry.strip():
            out.append(entry.strip())
    return tuple(out)


def url_host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def _domain_set(domains: Iterable[str]) -> frozenset[str]:
    return frozenset(d.lower().strip(".").removeprefix("*.") for d in domains)


def _in_domains(host: str, domains: frozenset[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or a subdomain of one."""
    if not domains or not host:
        return False
    labels = host.split(".")
    return any(".".join(labels[i:]) in domains for i in range(len(labels)))


@dataclass(frozen=True)
class UrlFilter:
    url_allow: tuple[str, ...] = ()
    url_block: tuple[str, ...] = ()
    domain_allow: frozenset[str] = frozenset()
    domain_block: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, config: object) -> UrlFilter:
        def entries(name: str) -> tuple[str, ...]:
            return load_entries(getattr(config, name), f"warc {name}")

        return cls(
            url_allow=entries("url_allow"),
            url_block=entries("url_block"),
            domain_allow=_domain_set(entries("domain_allow")),
            domain_block=_domain_set(entries("domain_block")),
        )

    @property
    def active(self) -> bool:
        return bool(self.url_allow or self.url_block or self.domain_allow or self.domain_block)

    def reject_reason(self, url: str | None) -> str | None:
        """``url_blocked`` / ``url_not_allowed``, or None when the URL passes."""
        if not self.active:
            return None
        url = url or ""
        host = url_host(url)
        if (self.url_block and url.startswith(self.url_block)) or _in_domains(host, self.domain_block):
            return "url_blocked"
        if not (self.url_allow or self.domain_allow):
            return None
        allowed = (self.url_allow and url.startswith(self.url_allow)) or _in_domains(host, self.domain_allow)
        return None if allowed else "url_not_allowed"
