"""A Textual validator made of one of the core's parsers: the text is valid when the parser takes it."""

from __future__ import annotations

from collections.abc import Callable

from textual.validation import ValidationResult, Validator

from tui.core.texts.messages import MessageError


class Parses(Validator):
    """Valid when `parse` accepts the stripped text; else the failure is the parser's message, in `lang`."""

    def __init__(self, parse: Callable[[str], object], lang: str) -> None:
        super().__init__()
        self._parse, self._lang = parse, lang

    def validate(self, value: str) -> ValidationResult:
        try:
            self._parse(value.strip())
        except MessageError as error:
            return self.failure(error.message.render(self._lang))
        return self.success()
