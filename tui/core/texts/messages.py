"""Messages in the reader's language: a catalog key and its parameters, rendered on demand from the
one catalog (`tui.core.texts.catalog`), and the choice of language (`--lang`, or LANG / LC_ALL)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from tui.core.texts.catalog import EN, ES

LANGUAGES = ("en", "es")
CATALOGS: dict[str, dict[str, str]] = {"en": EN, "es": ES}


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


def translate(lang: str, key: str, **params: object) -> str:
    """The catalog text for `key` in `lang`, with `params` filled in: a parameter that is a `Message` is
    rendered in `lang` too, and a tuple of them (notes that follow a sentence) each after a space."""
    return CATALOGS[lang][key].format(**{name: _rendered(value, lang) for name, value in params.items()})


def _rendered(value: object, lang: str) -> object:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, tuple) and all(isinstance(item, Message) for item in value):
        return "".join(" " + item.render(lang) for item in value)
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
