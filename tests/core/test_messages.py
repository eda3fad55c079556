"""The catalogs are complete in both languages, in the same sections, and every message renders, its plural
forms included."""

import re
import string
from pathlib import Path

import pytest

from tui.core.texts import en, es
from tui.core.texts.messages import CATALOGS, EN, ES, LANGUAGES, ONE_OTHER, PLURAL_RULES, Message, PluralFormatter, resolve_lang, translate


def fields(template: str) -> list[tuple[str, str]]:
    """Every replacement field of a template as (name, spec), the fields inside a plural field's forms too."""
    found = []
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is not None:
            found += [(name, spec or ""), *fields(spec or "")]
    return found


def plural_names(template: str) -> set[str]:
    return {name for name, spec in fields(template) if "|" in spec}


def sample_params(key: str) -> dict[str, object]:
    """Parameters for both templates of `key`: 2 for a count (a plural field's), 1.25 for a number with a
    spec (`{seconds:.1f}`), `<name>` otherwise."""
    params: dict[str, object] = {}
    for lang in LANGUAGES:
        for name, spec in fields(CATALOGS[lang][key]):
            if "|" in spec:
                params[name] = 2
            elif spec:
                params.setdefault(name, 1.25)
            else:
                params.setdefault(name, f"<{name}>")
    return params


def sections(catalog_file: str) -> list[tuple[str, list[str]]]:
    """A catalog's sections as its file writes them: each one-line comment, and the keys under it."""
    found: list[tuple[str, list[str]]] = []
    for line in Path(catalog_file).read_text(encoding="utf-8").splitlines():
        if line.startswith("    # "):
            found.append((line.strip(), []))
        elif match := re.match(r'    "([^"]+)": ', line):
            found[-1][1].append(match.group(1))
    return found


def test_both_languages_have_the_same_keys_in_the_same_sections() -> None:
    english, spanish = sections(en.__file__), sections(es.__file__)
    assert english == spanish
    assert [key for _, keys in english for key in keys] == list(EN) == list(ES)
    features = [{key.split(".")[0] for key in keys} for _, keys in english]
    assert all(len(feature) == 1 for feature in features), "a section holds the keys of one feature"
    assert len(features) == len(set.union(*features)), "a feature is in one section"


def test_both_templates_of_a_key_take_the_same_parameters() -> None:
    different = [key for key in EN if {name for name, _ in fields(EN[key])} != {name for name, _ in fields(ES[key])}]
    assert different == []


def test_every_message_renders_in_both_languages() -> None:
    for key in EN:
        params = sample_params(key)
        for lang in LANGUAGES:
            text = Message(key, params).render(lang)
            assert "{" not in text and "}" not in text, (lang, key)
            assert all(value in text for value in params.values() if isinstance(value, str)), (lang, key)


def test_every_plural_field_gives_each_form() -> None:
    counted = 0
    for key in EN:
        params = sample_params(key)
        for lang in LANGUAGES:
            template = CATALOGS[lang][key]
            for _, spec in fields(template):
                forms = spec.split("|")
                assert "|" not in spec or len(set(forms)) == len(forms) == PLURAL_RULES[lang].forms, (lang, key, spec)
            for name in plural_names(template):
                one, two = (translate(lang, key, **{**params, name: count}) for count in (1, 2))
                assert one != two and not re.search("[{}]", one + two), (lang, key, name)
                counted += 1
    assert counted > 100  # the counts in both catalogs: rows, IDs, tokens, windows, batches…


def test_the_plural_formatter() -> None:
    formatter = PluralFormatter(ONE_OTHER)
    assert [formatter.format("{n} {n:row|rows}", n=n) for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert formatter.format("{k:the nearest row|the {k} nearest rows}", k=3) == "the 3 nearest rows"
    assert formatter.format("{seconds:.1f} s · {name}", seconds=1.25, name="x") == "1.2 s · x"
    with pytest.raises(TypeError):
        formatter.format("{n:row|rows}", n=1.5)  # a number of rows is whole
    with pytest.raises(ValueError):
        formatter.format("{n:row|rows|rowz}", n=1)  # English has two forms


def test_a_message_among_the_parameters_is_said_in_the_same_language() -> None:
    either = Message("options.either", {"first": "--weights", "second": "--model"})
    assert Message("options.needs", {"option": "--key", "needed": either}).render("es") == "--key funciona con --weights o --model, que no se ha indicado."


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


def unchosen_plurals(template: str, nouns: set[str], counted: str | None = None) -> list[str]:
    """`{n} rows` where no plural field of `n` chooses the noun: a bare field before a counted noun, in the
    template or in the forms of another count's plural field (`{n}` inside `{n:…|the {n} rows}` is chosen)."""
    found = []
    parts = list(string.Formatter().parse(template))
    for (_, name, spec, _), (following, *_) in zip(parts, [*parts[1:], ("", None, None, None)], strict=True):
        if name is None:
            continue
        if spec and "|" in spec:
            found += [said for form in spec.split("|") for said in unchosen_plurals(form, nouns, name)]
        elif not spec and name != counted and (word := re.match(r" ([^\W\d_]+)", following)) and word.group(1) in nouns:
            found.append(f"{{{name}}} {word.group(1)}")
    return found


def test_a_count_before_a_counted_noun_chooses_its_plural_form() -> None:
    """'1 batches' is never said: a number written before a noun that some plural field counts (row, lote…)
    takes the noun from its own plural field, `{n} {n:batch|batches}`."""
    for lang, catalog in CATALOGS.items():
        nouns = {form for template in catalog.values() for _, spec in fields(template) if "|" in spec for form in spec.split("|") if form.isalpha()}
        assert {"row", "batches", "IDs"} <= nouns or {"fila", "lotes", "IDs"} <= nouns
        unchosen = {key: said for key, template in catalog.items() if (said := unchosen_plurals(template, nouns))}
        assert unchosen == {}, lang
    assert unchosen_plurals("{n} rows and {n:one row|{n} rows}", {"rows"}) == ["{n} rows"]
    assert unchosen_plurals("{k:its row|its {k} rows, {m} rows}", {"rows"}) == ["{m} rows"]
