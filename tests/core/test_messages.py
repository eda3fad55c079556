"""The catalog is complete in both languages and every message renders."""

import re
import string

import pytest

from tui.core.texts.messages import CATALOGS, EN, ES, Message, resolve_lang


def test_spanish_has_every_english_key() -> None:
    assert EN.keys() == ES.keys()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_message_renders_with_its_parameters(lang: str) -> None:
    for key, template in CATALOGS[lang].items():
        fields = [(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name]
        params = {name: 1.25 if spec else f"<{name}>" for name, spec in fields}  # `{seconds:.1f}` needs a number
        text = Message(key, params).render(lang)
        assert "{" not in text and "}" not in text, key
        assert all((f"<{name}>" if not spec else "1.2") in text for name, spec in fields), key


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


@pytest.mark.parametrize("catalog", [EN, ES])
def test_one_word_for_one_thing_in_the_key_names(catalog: dict[str, str]) -> None:
    """Each command's short name is its own, and finding a token is not called what a lookup is."""
    from tui.commands import COMMANDS

    names = [catalog[command.label] for command in COMMANDS]
    assert len(names) == len(set(names))
    assert not any(word in catalog["key.find"].lower() for word in ("busc", "look"))
