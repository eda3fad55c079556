"""Messages in the reader's language: a catalog key and its parameters, rendered on demand from the
language's catalog (`tui.core.texts.en`, `tui.core.texts.es`), and the choice of language (`--lang`, or
LANG / LC_ALL).

A template is `str.format`'s, plus plural fields: `{rows:row|rows}` is the word form that the language's
plural rule picks for the whole number `rows` (English "1 row", "3 rows"; Spanish `{rows:fila|filas}`).
A parameter that is itself a `Message` is rendered in the same language.
"""

from __future__ import annotations

import functools
import operator
import os
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from tui.core.texts.en import EN
from tui.core.texts.es import ES
from tui.core.texts.shown import printable

LANGUAGES = ("en", "es")
CATALOGS: dict[str, dict[str, str]] = {"en": EN, "es": ES}


@dataclass(frozen=True)
class PluralRule:
    """How many word forms a language's plural fields give, and which of them (0-based) a count takes."""

    forms: int
    form: Callable[[int], int]


ONE_OTHER = PluralRule(2, lambda count: 0 if count == 1 else 1)  # "1 row", "0 rows", "2 rows"
PLURAL_RULES: dict[str, PluralRule] = {"en": ONE_OTHER, "es": ONE_OTHER}  # a new language adds its own rule


class PluralFormatter(string.Formatter):
    """`str.format`, where a format spec holding `|` lists the word forms of a plural field and the
    language's rule picks one by the (whole number) value; any other spec (`{seconds:.1f}`) is format's own."""

    def __init__(self, rule: PluralRule) -> None:
        self.rule = rule

    def format_field(self, value: object, format_spec: str) -> str:
        if "|" not in format_spec:
            return super().format_field(value, format_spec)
        forms = format_spec.split("|")
        if len(forms) != self.rule.forms:
            raise ValueError(f"{format_spec!r} gives {len(forms)} forms, the language has {self.rule.forms}")
        return forms[self.rule.form(operator.index(value))]  # a float or a text is no count: TypeError


FORMATTERS = {lang: PluralFormatter(PLURAL_RULES[lang]) for lang in LANGUAGES}


@dataclass(frozen=True)
class Message:
    """A catalog key and its parameters: rendered in whichever language the reader chose."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return translate(lang, self.key, **self.params)

    def english(self) -> str:
        return self.render("en")


class MessageError(Exception):
    """An error that carries a catalog message, so each reader sees it in their language."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.english())
        self.message = message


def translate(lang: str, key: str, /, **params: object) -> str:
    """The catalog text for `key` in `lang`, with `params` filled in: a parameter that is a `Message` is
    rendered in `lang` too, and a tuple of them (notes that follow a sentence) each after a space. `lang`
    and `key` are positional, so that a template may have parameters of those names."""
    if not params:
        return _fixed(lang, key)
    values = {name: _rendered(value, lang) for name, value in params.items()}
    return FORMATTERS[lang].vformat(CATALOGS[lang][key], (), values)


@functools.cache
def _fixed(lang: str, key: str) -> str:
    """A text without parameters (key labels, titles), formatted once: the presenter asks for dozens at
    each key typed."""
    return FORMATTERS[lang].vformat(CATALOGS[lang][key], (), {})


def _rendered(value: object, lang: str) -> object:
    """A parameter as the sentence holds it: a text or a path (a name from a file or a user, as often as not)
    made printable here, so no sentence carries a control sequence to whichever edge shows it."""
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, tuple) and all(isinstance(item, Message) for item in value):
        return "".join(" " + item.render(lang) for item in value)
    if isinstance(value, str | PurePath):
        return printable(str(value))
    return value


def resolve_lang(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """`--lang` when given; otherwise Spanish when LC_ALL / LC_MESSAGES / LANG say so."""
    if explicit:
        return explicit
    env = os.environ if environ is None else environ
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        if value:
            return "es" if value.lower().startswith("es") else "en"
    return "en"
