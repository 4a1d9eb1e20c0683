"""PII redaction: what must be replaced by PI:<TAG>, and look-alikes that must be left alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
