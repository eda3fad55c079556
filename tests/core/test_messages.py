"""The catalog is complete in both languages and every message renders."""

import re
import string

import pytest

from tui.core.messages import EN, ES, resolve_lang


def test_spanish_has_every_english_key() -> None:
    assert EN.keys() == ES.keys()


@pytest.mark.parametrize("key", sorted(EN))
def test_both_languages_take_the_same_parameters(key: str) -> None:
    fields = [{name for _, name, _, _ in string.Formatter().parse(catalog[key]) if name} for catalog in (EN, ES)]
    assert fields[0] == fields[1]


def test_spanish_uses_the_books_words() -> None:
    spanish = " ".join(ES.values())
    for word in ("ID de token", "incrustación", "fila", "matriz de pesos"):
        assert word in spanish
    assert not re.search(r"\bembedding vector\b", spanish)


@pytest.mark.parametrize(
    "explicit, environ, expected",
    [
        ("en", {"LANG": "es_ES.UTF-8"}, "en"),
        (None, {"LANG": "es_MX.UTF-8"}, "es"),
        (None, {"LC_ALL": "es_AR.UTF-8", "LANG": "en_US.UTF-8"}, "es"),
        (None, {"LC_ALL": "C", "LANG": "es_ES.UTF-8"}, "en"),
        (None, {}, "en"),
    ],
)
def test_language_resolution(explicit: str | None, environ: dict[str, str], expected: str) -> None:
    assert resolve_lang(explicit, environ) == expected
