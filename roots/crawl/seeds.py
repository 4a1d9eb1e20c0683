"""Seeds (domains or URL prefixes) and their SURT keys, as Common Crawl's ``url_surtkey`` spells them.

A seed matches an index row when the row's registered domain is the seed's and the row's SURT key starts
with the seed's SURT (ROOTS' rule). SURT here: lowercase, ``www``/``wwwN`` host prefix dropped, host labels
reversed and joined by commas, a non-default port kept as ``:port``, then ``)`` and the path (its trailing
slash dropped, as ROOTS' seed table did) and the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from roots.errors import UserError

_WWW = re.compile(r"^www\d*\.")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Seed:
    text: str  # as written in the seed file
    surt: str
    host: str
    domains: tuple[str, ...]  # registered-domain spellings the row's url_host_registered_domain may have


def seed_surt(entry: str) -> tuple[str, str]:
    """``(surt, host)`` of a seed written as a domain (``bbc.co.uk``) or a URL prefix (``https://x.org/news/``)."""
    text = entry.strip()
    url = text if "://" in text else f"http://{text}"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a domain or URL: {exc}") from None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or " " in host:
        raise ValueError("no host name")
    key = ",".join(reversed(_WWW.sub("", host).split(".")))
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        key += f":{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    if parts.query:
        path += "?" + "&".join(sorted(parts.query.split("&")))
    return f"{key}){path.lower()}", host


@lru_cache(maxsize=2)
def _extractor(private: bool):  # type: ignore[no-untyped-def]
    import tldextract

    # the Public Suffix List snapshot bundled with tldextract: no network fetch, no cache directory
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=private)


def registered_domains(host: str) -> tuple[str, ...]:
    """The host's registered domain by the ICANN suffixes and, if different, with the private ones too."""
    out: list[str] = []
    for private in (False, True):
        parts = _extractor(private)(host)
        domain = f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else host
        if domain not in out:
            out.append(domain)
    return tuple(out)


def parse_seed(entry: str) -> Seed:
    surt, host = seed_surt(entry)
    return Seed(entry.strip(), surt, host, registered_domains(host))


def read_seeds(path: Path) -> list[Seed]:
    """One seed per line (``#`` comments, blank lines ignored); a bad line is a user error naming it."""
    if not path.is_file():
        raise UserError(f"{path}: seed file not found; give a file with one domain or URL prefix per line")
    seeds: list[Seed] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            seed = parse_seed(entry)
        except ValueError as exc:
            raise UserError(f"{path}:{number}: {entry!r} is not a domain or URL prefix ({exc})") from None
        if seed.surt not in seen:
            seen.add(seed.surt)
            seeds.append(seed)
    if not seeds:
        raise UserError(f"{path}: no seeds; write one domain or URL prefix per line")
    return seeds
