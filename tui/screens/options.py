"""The training options: the loss backward() starts from, SGD's learning rate, and the layer's own
options (padding_idx, max_norm, scale_grad_by_freq, sparse). Nothing is applied until every field is
valid; a wrong field says what is valid."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tui.core.chapter.history import LOSSES
from tui.core.chapter.spec import LayerOptions, LayerSpec, option_field
from tui.core.explorer.training import Training
from tui.core.texts.messages import translate
from tui.core.texts.shown import printable
from tui.screens.parses import Parses
from tui.widgets.toggle_bar import Toggle, ToggleBar

FIELDS = ("lr", "padding_idx", "max_norm")


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

    def __init__(self, current: Training, spec: LayerSpec, lang: str) -> None:
        """`spec`: the layer's, whose rows padding_idx must index and whose dtype must hold lr."""
        super().__init__()
        self._current, self._spec, self._lang = current, spec, lang
        self.t = partial(translate, lang)

    def compose(self) -> ComposeResult:
        current, options = self._current, self._current.options
        with Vertical() as box:
            box.border_title = self.t("options.title")
            box.border_subtitle = self.t("options.keys")
            with Horizontal():
                yield Label(self.t("options.loss"), classes="label")
                choices = [(Text(code), loss) for loss, code in LOSSES.items()]  # the choice shows as text, not colour
                yield Select(choices, value=current.loss, allow_blank=False, compact=True, id="loss")
            for name, value in zip(FIELDS, (current.lr, options.padding_idx, options.max_norm), strict=True):
                with Horizontal():
                    yield Label(self.t(f"options.{name}"), classes="label")
                    check = Parses(partial(option_field, name, spec=self._spec), self._lang)
                    yield Input("" if value is None else str(value), id=name, compact=True, validators=[check], validate_on=["submitted"])
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
        """Apply when every field is valid; else say what is wrong with the first one that is not."""
        inputs = [self.query_one(f"#{name}", Input) for name in FIELDS]
        for field in inputs:
            result = field.validate(field.value)
            if result is not None and not result.is_valid:
                self.query_one("#options-error", Static).update(Text("✗ " + printable(result.failure_descriptions[0])))
                return
        lr, padding_idx, max_norm = (option_field(field.id, field.value, self._spec) for field in inputs)
        flags = self.query_one("#flags", ToggleBar)
        options = LayerOptions(padding_idx, max_norm, flags.value("scale_grad_by_freq"), flags.value("sparse"))
        self.dismiss(Training(self.query_one("#loss", Select).value, lr, options))
