"""The training options: the loss backward() starts from, SGD's learning rate, and the layer's own
options (padding_idx, max_norm, scale_grad_by_freq, sparse). Nothing is applied until every field is
valid; a wrong field says what is valid."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tui.core.history import LOSSES
from tui.core.messages import Message
from tui.core.spec import LayerOptions, SpecError
from tui.core.text import printable
from tui.widgets.toggle_bar import Toggle, ToggleBar


@dataclass(frozen=True)
class Training:
    """What the training keys use: the loss (a key of LOSSES), the learning rate, the layer's options."""

    loss: str = "sum"
    lr: float = 0.1
    options: LayerOptions = LayerOptions()


class OptionsScreen(ModalScreen[Training | None]):
    DEFAULT_CSS = """
    OptionsScreen { align: center middle; }
    OptionsScreen > Vertical {
        width: 100%; max-width: 84; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1;
    }
    OptionsScreen Horizontal { height: auto; margin-bottom: 1; }
    OptionsScreen .label { width: 26; }
    OptionsScreen Input, OptionsScreen Select { width: 1fr; }
    OptionsScreen Select { height: 1; }
    OptionsScreen ToggleBar { margin-bottom: 1; padding: 0; }
    OptionsScreen #options-error { color: $error; height: auto; }
    OptionsScreen Button { margin-right: 2; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", show=False)]

    def __init__(self, current: Training, rows: int, translate: Callable[..., str]) -> None:
        super().__init__()
        self._current, self._rows, self.t = current, rows, translate

    def compose(self) -> ComposeResult:
        current, options = self._current, self._current.options
        with Vertical() as box:
            box.border_title = self.t("options.title")
            box.border_subtitle = self.t("options.keys")
            with Horizontal():
                yield Label(self.t("options.loss"), classes="label")
                choices = [(Text(code), loss) for loss, code in LOSSES.items()]  # the choice shows as text, not colour
                yield Select(choices, value=current.loss, allow_blank=False, compact=True, id="loss")
            for name, value in (("lr", current.lr), ("padding_idx", options.padding_idx), ("max_norm", options.max_norm)):
                with Horizontal():
                    yield Label(self.t(f"options.{name}"), classes="label")
                    yield Input("" if value is None else str(value), id=name, compact=True)
            flags = ("scale_grad_by_freq", "sparse")
            on = {name for name in flags if getattr(options, name)}
            yield ToggleBar(tuple(Toggle(name, name) for name in flags), on, id="flags")
            yield Static(Text(self.t("options.note"), style="italic"))
            yield Static(id="options-error")
            with Horizontal():
                yield Button(self.t("options.apply"), id="apply", variant="primary", compact=True)
                yield Button(self.t("options.cancel"), id="cancel", compact=True)

    def on_input_submitted(self) -> None:
        self._apply()

    def on_toggle_bar_changed(self, event: ToggleBar.Changed) -> None:
        event.stop()  # read when applied; the app's own toggles are another bar

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self._apply()
        else:
            self.dismiss(None)

    def _apply(self) -> None:
        try:
            self.dismiss(self._read())
        except ValueError as problem:
            self.query_one("#options-error", Static).update(Text("✗ " + printable(str(problem))))

    def _read(self) -> Training:
        """The fields as a `Training`, or a ValueError whose text says what is wrong."""
        loss = self.query_one("#loss", Select).value
        lr = self._number("lr", float)
        if lr is None or not (math.isfinite(lr) and lr >= 0):
            raise ValueError(self._say(Message("train.lr", {"value": lr})))
        options = LayerOptions(
            self._number("padding_idx", int),
            self._number("max_norm", float),
            self.query_one("#flags", ToggleBar).value("scale_grad_by_freq"),
            self.query_one("#flags", ToggleBar).value("sparse"),
        )
        try:
            options.check(self._rows)
        except SpecError as error:
            raise ValueError(self._say(error.message)) from error
        return Training(loss, lr, options)

    def _number(self, name: str, kind: type) -> int | float | None:
        text = self.query_one(f"#{name}", Input).value.strip()
        if not text:
            return None
        try:
            return kind(text)
        except ValueError:
            raise ValueError(f"{name}: " + self.t("options.not_number", text=text)) from None

    def _say(self, message: Message) -> str:
        return self.t(message.key, **message.params)
