"""Facts about the ROOTS natural languages: BLOOM codes, names, ISO 639-3 codes.

Used to map labels of other language identifiers (GlotLID's ``swh_Latn``, ISO 639-3 codes) to the
ROOTS code and to list coverage; per-language behaviour itself lives in ``configs/languages/*.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RootsLanguage:
    code: str
    name: str
    family: str  # "niger-congo", "indic" or "other" (the grouping of the BLOOM model card)
    iso639_3: tuple[str, ...]  # codes (macro-language first) that other identifiers use for it


def _lang(code: str, name: str, family: str, *iso: str) -> RootsLanguage:
    return RootsLanguage(code, name, family, iso)


LANGUAGES: tuple[RootsLanguage, ...] = (
    # Niger-Congo (22)
    _lang("ak", "Akan", "niger-congo", "aka", "fat"),
    _lang("bm", "Bambara", "niger-congo", "bam"),
    _lang("ny", "Chichewa", "niger-congo", "nya"),
    _lang("fon", "Fon", "niger-congo", "fon"),
    _lang("ig", "Igbo", "niger-congo", "ibo"),
    _lang("ki", "Kikuyu", "niger-congo", "kik"),
    _lang("ln", "Lingala", "niger-congo", "lin"),
    _lang("lg", "Luganda", "niger-congo", "lug"),
    _lang("nso", "Northern Sotho", "niger-congo", "nso"),
    _lang("rn", "Kirundi", "niger-congo", "run"),
    _lang("rw", "Kinyarwanda", "niger-congo", "kin"),
    _lang("sn", "chiShona", "niger-congo", "sna"),
    _lang("st", "Sesotho", "niger-congo", "sot"),
    _lang("sw", "Swahili", "niger-congo", "swa", "swh", "swc"),
    _lang("tn", "Setswana", "niger-congo", "tsn"),
    _lang("ts", "Xitsonga", "niger-congo", "tso"),
    _lang("tum", "Tumbuka", "niger-congo", "tum"),
    _lang("tw", "Twi", "niger-congo", "twi"),
    _lang("wo", "Wolof", "niger-congo", "wol"),
    _lang("xh", "isiXhosa", "niger-congo", "xho"),
    _lang("yo", "Yoruba", "niger-congo", "yor"),
    _lang("zu", "isiZulu", "niger-congo", "zul"),
    # Indic (13)
    _lang("as", "Assamese", "indic", "asm"),
    _lang("bn", "Bengali", "indic", "ben"),
    _lang("gu", "Gujarati", "indic", "guj"),
    _lang("hi", "Hindi", "indic", "hin"),
    _lang("kn", "Kannada", "indic", "kan"),
    _lang("ml", "Malayalam", "indic", "mal"),
    _lang("mr", "Marathi", "indic", "mar"),
    _lang("ne", "Nepali", "indic", "nep", "npi"),
    _lang("or", "Odia", "indic", "ori", "ory"),
    _lang("pa", "Punjabi", "indic", "pan"),
    _lang("ta", "Tamil", "indic", "tam"),
    _lang("te", "Telugu", "indic", "tel"),
    _lang("ur", "Urdu", "indic", "urd"),
    # the other ten (zh counts simplified and traditional as two of ROOTS' 46 languages)
    _lang("eu", "Basque", "other", "eus", "baq"),
    _lang("ca", "Catalan", "other", "cat"),
    _lang("id", "Indonesian", "other", "ind"),
    _lang("vi", "Vietnamese", "other", "vie"),
    _lang("ar", "Arabic", "other", "ara", "arb"),
    _lang("zh", "Chinese", "other", "zho", "cmn"),
    _lang("en", "English", "other", "eng"),
    _lang("fr", "French", "other", "fra", "fre"),
    _lang("pt", "Portuguese", "other", "por"),
    _lang("es", "Spanish", "other", "spa"),
)

BLOOM_LANGUAGES: tuple[str, ...] = tuple(lang.code for lang in LANGUAGES)
BY_CODE: dict[str, RootsLanguage] = {lang.code: lang for lang in LANGUAGES}
ISO639_3_TO_CODE: dict[str, str] = {iso: lang.code for lang in LANGUAGES for iso in lang.iso639_3}
# ROOTS counted Chinese twice (zhs, zht) to reach 46 natural languages; roots handles both as ``zh``.
ROOTS_NATURAL_LANGUAGE_COUNT = 46
