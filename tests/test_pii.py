"""PII redaction: what must be replaced by PI:<TAG>, and look-alikes that must be left alone."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from roots.filters import pii
from roots.filters.pii import TAGS, redact_pii

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("text", "expected", "tag"),
    [
        ("Write to jane.doe@example.org today.", "Write to PI:EMAIL today.", "EMAIL"),
        ("Contact: a_b+tag@mail.co.uk, thanks", "Contact: PI:EMAIL, thanks", "EMAIL"),
        ("<mwalimu@shule.ac.tz>", "<PI:EMAIL>", "EMAIL"),
        ("server at 192.168.10.24 is down", "server at PI:IP_ADDRESS is down", "IP_ADDRESS"),
        ("dns 8.8.8.8.", "dns PI:IP_ADDRESS.", "IP_ADDRESS"),
        ("host 2001:db8:85a3::8a2e:370:7334 replied", "host PI:IP_ADDRESS replied", "IP_ADDRESS"),
        ("link-local fe80::1ff:fe23:4567:890a", "link-local PI:IP_ADDRESS", "IP_ADDRESS"),
        ("key AKIAIOSFODNN7EXAMPLE leaked", "key PI:KEY leaked", "KEY"),
        ("token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 here", "token PI:KEY here", "KEY"),
        ('api_key = "Zx81Kq02Lm93Np"', 'api_key = "PI:KEY"', "KEY"),
        ("PASSWORD: hunter2024", "PASSWORD: PI:KEY", "KEY"),
        ("secret=ThisIsAVeryLongPassphraseWithoutDigits", "secret=PI:KEY", "KEY"),
        ("sig x9Kp2mQ7vL4nR8sT1wY6zB3cF5hJ0dG2aE end", "sig PI:KEY end", "KEY"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "PI:KEY", "KEY"),
        ("thanks @mama_ngozi for the recipe", "thanks PI:USER for the recipe", "USER"),
        ("(@roots.bot) said", "(PI:USER) said", "USER"),
    ],
)
def test_pii_is_redacted(text: str, expected: str, tag: str) -> None:
    redacted, counts = redact_pii(text)
    assert redacted == expected
    assert counts == {t: (1 if t == tag else 0) for t in TAGS}


@pytest.mark.parametrize(
    "text",
    [
        "Upgrade to version 10.0.0.1 or v1.2.3.4 before Friday.",  # version numbers
        "Release 2.4.1.7 fixes the bug.",
        "The meeting is on 12.05.2021 at 12:30:45.",  # dates and times
        "Localhost 127.0.0.1, any 0.0.0.0, broadcast 255.255.255.255 and ::1 are not personal.",
        "Not addresses: 256.1.1.1, 1.2.3, 01.02.03.04 and 1.2.3.4.5.",
        "In C++ use std::vector or Ab::Cd scopes.",
        "Retina images icon@2x.png and logo@3x.jpg.",
        "Docstrings say @param x and @return y; CSS has @media screen and @import url.",
        "The commit 3a7bd3e2360a3d29eea436fcfb7e44c735d117c4 is a hex digest, not a secret.",
        "Please enter your password: forgotten? Click the link.",
        "Ratios like 3:2 and scores such as 10:8:6 stay.",
        "Mwalimu alisema kwamba watoto wote watafika shuleni saa mbili asubuhi.",
        "An email-like word: user@localhost has no top-level domain.",
    ],
)
def test_look_alikes_are_kept(text: str) -> None:
    redacted, counts = redact_pii(text)
    assert redacted == text
    assert not any(counts.values())


def test_counts_add_up_per_tag_and_text_around_matches_is_kept() -> None:
    text = "a@b.io and c@d.io from 10.1.2.3, cc @kiongozi; password=abc12345xyz"
    redacted, counts = redact_pii(text)
    assert redacted == "PI:EMAIL and PI:EMAIL from PI:IP_ADDRESS, cc PI:USER; password=PI:KEY"
    assert counts == {"EMAIL": 2, "IP_ADDRESS": 1, "KEY": 1, "USER": 1}


def test_redaction_is_idempotent_and_handles_empty_text() -> None:
    once, _ = redact_pii("mail me: someone@example.com or @someone at 172.16.0.9")
    assert redact_pii(once) == (once, dict.fromkeys(TAGS, 0))
    assert redact_pii("") == ("", dict.fromkeys(TAGS, 0))


def _kept_swahili_text(languages: Path, pii_enabled: bool) -> str:
    from roots.filters.stage import FilterEngine, filter_table
    from roots.schema import documents_to_table, make_document

    sw_yaml = languages / "sw.yaml"
    config = sw_yaml.read_text(encoding="utf-8")
    sw_yaml.write_text(
        config.replace("pii:\n  enabled: true", f"pii:\n  enabled: {str(pii_enabled).lower()}")
    )
    paragraph = (REPO / "roots" / "demo" / "texts" / "sw.txt").read_text(encoding="utf-8").split("\n\n")[0]
    text = paragraph + " Andika kwa mwalimu@shule.ac.tz kwa maelezo zaidi."
    table = documents_to_table([make_document(source="t", locator="1", text=text, lang="sw")])
    [row] = filter_table(FilterEngine(languages, None), table).tables["kept"].to_pylist()
    return row["text"]


def test_pii_switch_is_per_language_in_the_filter_stage(tmp_path: Path) -> None:
    for enabled in (True, False):
        languages = tmp_path / str(enabled)
        shutil.copytree(REPO / "configs" / "languages", languages)
        kept = _kept_swahili_text(languages, enabled)
        assert ("PI:EMAIL" in kept) is enabled
        assert ("mwalimu@shule.ac.tz" in kept) is not enabled


# Prechecks: find_pii tries each pattern only where something every match holds says it can start.
# The reference is the same patterns scanned over the whole text (``prechecks=False``).


def _assert_prechecks_find_everything(text: str) -> None:
    for detect in pii.DETECTORS:
        assert list(detect(text, True)) == list(detect(text, False)), (detect.__name__, text)
    assert pii.find_pii(text) == pii._find_pii(text, prechecks=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the keyword far before the sign: a quote and many (Unicode) spaces in between
        (
            'client_secret"\u00a0\t\n      \u3000  = "Zx81Kq02Lm93Np"',
            'client_secret"\u00a0\t\n      \u3000  = "PI:KEY"',
        ),
        ("CLIENT-SECRET' :abcdefgh12", "CLIENT-SECRET' :PI:KEY"),
        # (?i) takes ſ for s and ı for i
        ("ſecret=abcd1234 and apı_key: QWERTY12", "ſecret=PI:KEY and apı_key: PI:KEY"),
        ("x=token:abcdefgh1", "x=token:PI:KEY"),  # the first sign's value holds no keyword start
        ("xoxb-0123456789", "PI:KEY"),  # the shortest token format
        ("x9Kp2mQ7vL4nR8sT1wY6zB3cF5hJ0dG2aE", "PI:KEY"),  # a long token from the first character
        ("sig:x9Kp2mQ7vL4nR8sT1wY6zB3cF5hJ0dG2aE", "sig:PI:KEY"),
        # a JWT inside a longer run of token characters and dots
        ("www.eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmN", "www.PI:KEY"),
        ("1.2.3.4 then 100.200.30.4", "PI:IP_ADDRESS then PI:IP_ADDRESS"),  # 1 and 3 digits before the dot
        ("abcd:ef01::1234 and fe80::1", "PI:IP_ADDRESS and PI:IP_ADDRESS"),  # 4 hex digits before the colon
        ("ñandú.ümlaut+tag_99@example.org", "PI:EMAIL"),  # a long non-ASCII local part
        ("中文@example.org", "PI:EMAIL"),
        ("a@b.io,c@d.io", "PI:EMAIL,PI:EMAIL"),
        ("@kiongozi and @mama_ngozi.", "PI:USER and PI:USER."),  # a handle at the very start
    ],
)
def test_matches_at_the_limits_of_the_prechecks(text: str, expected: str) -> None:
    assert redact_pii(text)[0] == expected
    _assert_prechecks_find_everything(text)


def test_prose_without_pii_gives_no_pattern_a_place_to_start() -> None:
    prose = (
        "Mwalimu alisema: watoto wote watafika shuleni saa mbili asubuhi, tarehe 12.05.2021 saa 12:30. "
        "Le Conseil a adopté la décision n° 3.2 — « quatre-vingt-dix » voix pour. किसानों ने फसल बोई।"
    )
    formats, long_tokens = pii._token_starts(prose)
    assert list(formats) == list(long_tokens) == []
    assert list(pii._assignment_starts(prose)) == list(pii._email_starts(prose)) == []
    assert list(pii._at_signs(prose)) == []
    assert list(pii._IPV4_FIRST_DOT.finditer(prose)) == list(pii._IPV6_FIRST_COLON.finditer(prose)) == []


def test_character_classes_tested_in_python_are_those_of_re() -> None:
    every_character = "".join(map(chr, range(sys.maxunicode + 1)))
    assert {c for c in every_character if c.isspace()} == set(re.findall(r"\s", every_character))
    local_part = set(re.findall(r"[\w.+\-]", every_character))
    assert {c for c in every_character if pii._in_local_part(c)} == local_part


_FRAGMENTS = [
    "jane.doe@example.org", "a_b+tag@mail.co.uk", "icon@2x.png", "user@localhost", "@mama_ngozi", "@param",
    "@", "ümläut", "192.168.10.24", "8.8.8.8", "127.0.0.1", "01.02.03.04", "1.2.3.4.5", "v1.2.3.4",
    "version ", "2001:db8:85a3::8a2e:370:7334", "fe80::1ff:fe23:4567:890a", "::1", "12:30:45", "Ab::Cd",
    "AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE", "sk-abcdefghijklmnopqrstuvwxyz012345", "sk-", "eyJ",
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCD", "xoxb-0123456789",
    "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "AIzaSyA1234567890abcdefghijklmnopqrstuv",
    "eyJabcdefgh.eyJabcdefgh.abcdefgh", "x9Kp2mQ7vL4nR8sT1wY6", "zB3cF5hJ0dG2aE",
    "QWxhZGRpbjpvcGVuIHNlc2FtZQ+/=", "password", "api_key", "client-secret", "Token", "ſecret", "apı",
    "\"", "'", "=", ":", "  ", "\u00a0", "\n", "-----BEGIN RSA PRIVATE KEY-----",
    "-----END RSA PRIVATE KEY-----", "hunter2024abc",
]  # fmt: skip
_ALPHABET = "abcXYZ019.:@=-_+/ \n\"',;é中٣ſı\u212a"  # ſ, ı and the Kelvin sign: (?i) matches s, i, k


def test_prechecks_never_skip_a_match_on_random_pii_like_text() -> None:
    pytest.importorskip("hypothesis")
    from hypothesis import given, settings
    from hypothesis import strategies as st

    piece = st.one_of(st.sampled_from(_FRAGMENTS), st.text(_ALPHABET, max_size=10))

    @settings(max_examples=500, deadline=None, database=None)
    @given(st.sampled_from(["", "", " ", "\n", "="]), st.lists(piece, max_size=12))
    def prechecks_find_everything(separator: str, pieces: list[str]) -> None:
        _assert_prechecks_find_everything(separator.join(pieces))

    prechecks_find_everything()
