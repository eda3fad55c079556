"""The training options: the loss backward() starts from, SGD's learning rate, and the layer's own options
(padding_idx, max_norm, scale_grad_by_freq, sparse). Nothing is applied until every field is valid; a
wrong field says what is valid. Enter applies from anywhere in the dialog, as the Apply button does (Space
flips a switch; Enter on Cancel cancels; on the loss it opens its list)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Select, Static

from tui.core.chapter.spec import LayerOptions
from tui.core.explorer.dialogs import Options, Refused, TrainingChoice
from tui.core.texts.shown import printable
from tui.screens.dialog import DialogScreen
from tui.widgets.toggle_bar import Toggle, ToggleBar

FIELDS = ("lr", "padding_idx", "max_norm")


class Checked(Validator):
    """Valid when the dialog's check takes the field's text; else the failure says why."""

    def __init__(self, options: Options, name: str) -> None:
        super().__init__()
        self._options, self._name = options, name

    def validate(self, value: str) -> ValidationResult:
        try:
            self._options.check(self._name, value)
        except Refused as refused:
            return self.failure(refused.text)
        return self.success()


class OptionsScreen(DialogScreen[Options]):
    BINDINGS = [Binding("enter", "apply", show=False)]  # the fields' and buttons' own Enter come first

    def compose(self) -> ComposeResult:
        options, words = self.dialog, self.dialog.words
        current = options.current
        with Vertical() as box:
            box.border_title = words["title"]
            box.border_subtitle = words["keys"]
            with Horizontal():
                yield Label(words["loss"], classes="label")
                choices = [(Text(code), loss) for loss, code in options.losses]  # the choice shows as text, not colour
                yield Select(choices, value=current.loss, allow_blank=False, compact=True, id="loss")
            for name, value in zip(FIELDS, (current.lr, current.options.padding_idx, current.options.max_norm), strict=True):
                with Horizontal():
                    yield Label(words[name], classes="label")
                    yield Input("" if value is None else str(value), id=name, compact=True, validators=[Checked(options, name)], validate_on=["submitted"])
            flags = ("scale_grad_by_freq", "sparse")
            on = {name for name in flags if getattr(current.options, name)}
            yield ToggleBar(tuple(Toggle(name, name) for name in flags), on, id="flags", enter_flips=False)
            yield Static(Text(words["note"], style="italic"))
            yield Static(id="options-error")
            with Horizontal():
                yield Button(words["apply"], id="apply", variant="primary", compact=True)
                yield Button(words["cancel"], id="cancel", compact=True)

    def on_input_submitted(self) -> None:
        self._apply()

    def action_apply(self) -> None:
        self._apply()

    def on_toggle_bar_changed(self, event: ToggleBar.Changed) -> None:
        event.stop()  # read when applied; the main screen's toggles are another bar

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self._apply()
        else:
            self.answer(None)

    def _apply(self) -> None:
        """Apply when every field is valid; else say what is wrong with the first one that is not."""
        inputs = [self.query_one(f"#{name}", Input) for name in FIELDS]
        for field in inputs:
            result = field.validate(field.value)
            if result is not None and not result.is_valid:
                self.query_one("#options-error", Static).update(Text("✗ " + printable(result.failure_descriptions[0])))
                return
        lr, padding_idx, max_norm = (self.dialog.check(field.id, field.value) for field in inputs)
        flags = self.query_one("#flags", ToggleBar)
        options = LayerOptions(padding_idx, max_norm, flags.value("scale_grad_by_freq"), flags.value("sparse"))
        self.answer(TrainingChoice(self.query_one("#loss", Select).value, lr, options))
