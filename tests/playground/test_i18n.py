import json
import re
from pathlib import Path

import pytest

from playground import i18n

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "playground" / "locales"


@pytest.mark.parametrize("area", sorted(p.name for p in (LOCALES / "en").glob("*.json")))
def test_every_area_is_complete_in_both_languages(area):
    en = json.loads((LOCALES / "en" / area).read_text(encoding="utf-8"))
    zh = json.loads((LOCALES / "zh" / area).read_text(encoding="utf-8"))
    assert set(en) == set(zh), sorted(set(en) ^ set(zh))
    for key in en:
        assert zh[key].strip(), f"empty Chinese text for {key}"
        # the same {placeholders} in both languages
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", zh[key])), key


def test_literal_keys_used_in_code_exist():
    catalog = i18n.catalog("en")
    pattern = re.compile(r"""\btr\(\s*["']([a-z_]+\.[A-Za-z0-9_.^]+)["']""")
    missing = set()
    for path in (ROOT / "playground").rglob("*.py"):
        for key in pattern.findall(path.read_text(encoding="utf-8")):
            if key not in catalog:
                missing.add(f"{path.name}: {key}")
    assert not missing, sorted(missing)


def test_fallbacks_and_formatting():
    assert i18n.t("net.units", "zh", i=2) == "第 2 层神经元数"
    assert i18n.t("net.units", "xx", i=2) == "Layer 2 units"  # unknown language -> English
    assert i18n.t("no.such.key", "zh") == "no.such.key"
    assert i18n.normalize("zh-CN") == "zh" and i18n.normalize("en_US") == "en"
    assert i18n.normalize(None) == "en" and i18n.normalize("fr") == "en"
    tr = i18n.Translator("zh")
    assert tr("net.play") != i18n.Translator("en")("net.play")


def test_every_choice_the_page_offers_has_a_label():
    from playground import config

    families = {"dataset": config.DATASETS, "feature": config.FEATURES,
                "activation": config.HIDDEN_ACTIVATIONS + config.OUTPUT_ACTIVATIONS,
                "loss": config.LOSSES, "init": config.INITIALIZERS,
                "optimizer": config.OPTIMIZERS, "schedule": config.SCHEDULES,
                "hyper": {h for hp in config.OPTIMIZER_HYPER.values() for h in hp}}
    for lang in i18n.LANGUAGES:
        cat = i18n.catalog(lang)
        for prefix, values in families.items():
            for v in values:
                assert f"{prefix}.{v}" in cat, (lang, f"{prefix}.{v}")
