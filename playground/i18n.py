"""Every visible string, in English and Simplified Chinese.

Catalogs are JSON files under ``locales/<lang>/*.json`` (one file per area, merged), flat
``{"key": "text with {placeholders}"}``. ``t(key, lang, **fmt)`` falls back to English, and to
the key itself when even English lacks it (tests check that both catalogs are complete).
No streamlit here: pages pass the current language in.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "zh")
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}
DEFAULT = "en"
_DIR = Path(__file__).resolve().parent / "locales"


@cache
def catalog(lang: str) -> dict[str, str]:
    """The merged catalog of one language (empty for an unknown language)."""
    merged: dict[str, str] = {}
    folder = _DIR / lang
    if lang not in LANGUAGES or not folder.is_dir():
        return merged
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        overlap = set(merged) & set(data)
        if overlap:
            raise ValueError(f"{path}: keys defined twice: {sorted(overlap)[:5]}")
        merged.update(data)
    return merged


def t(key: str, lang: str = DEFAULT, **fmt) -> str:
    """The text for ``key`` in ``lang`` (English fallback), formatted with ``fmt``."""
    text = catalog(lang).get(key)
    if text is None:
        text = catalog(DEFAULT).get(key, key)
    if fmt:
        try:
            return text.format(**fmt)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def normalize(lang: str | None) -> str:
    """Map a browser locale such as 'zh-CN' or 'en_US' to a supported language."""
    if not lang:
        return DEFAULT
    code = str(lang).replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT


class Translator:
    """``tr = Translator("zh"); tr("loss")`` — a bound t() to pass into chart builders."""

    def __init__(self, lang: str = DEFAULT):
        self.lang = normalize(lang)

    def __call__(self, key: str, **fmt) -> str:
        return t(key, self.lang, **fmt)
