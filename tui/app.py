"""Thin wiring: compose the panels, route keys to the core, show the core's immutable results.

torch is imported in a worker thread, so the first frame (and typing) comes before it has loaded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.screen import Screen
from textual.worker import Worker

from tui.commands import COMMANDS, bindings
from tui.file_opening import FileOpening
from tui.panel import Panel
from tui.row_finding import RowFinding
from tui.training_lab import TrainingLab
from tui.core.code import reproduce_script
from tui.core.messages import LANGUAGES, Message, resolve_lang, translate
from tui.core.parse import IdError, ParsedIds, append_id, parse_ids
from tui.core.spec import LayerOptions, LayerSpec, human_size
from tui.core.text import printable, single_line
from tui.core.vocab import visible
from tui.screens.code import CodeScreen
from tui.screens.help import HelpScreen
from tui.widgets.flags_view import FlagsView
from tui.widgets.id_input import IdInput
from tui.widgets.loading_panel import LoadingPanel
from tui.widgets.matrix_view import MatrixView
from tui.widgets.result_view import ResultView
from tui.widgets.status_bar import StatusBar
from tui.widgets.toggle_bar import Toggle, ToggleBar

if TYPE_CHECKING:
    from tui.core.session import EmbeddingSession, Lookup, WeightFlags
    from tui.core.tokenizer import TextTokenizer, Tokens
    from tui.core.vocab import Vocab
    from tui.core.weights import WeightFile

WIDE = 120  # from this many columns on, the result and the flags sit side by side
BELOW_MATRIX = 22  # rows kept for the input, toggles, result, flags, status and keys on tall terminals
TITLE = 1  # the matrix's title bar, its top border


def guarded(handler: Callable[..., Any]) -> Callable[..., Any]:
    """An unexpected exception in a handler becomes a notice; the app keeps its last good state."""

    @functools.wraps(handler)
    def wrapper(self: ExplorerApp, *args: Any, **kwargs: Any) -> Any:
        try:
            return handler(self, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - the boundary that keeps the app alive
            message = self.t("error.unexpected", error=f"{type(error).__name__}: {error}")
            self.notify(printable(message), severity="error", markup=False)
            return None

    return wrapper


class ExplorerApp(TrainingLab, FileOpening, RowFinding, App[None]):
    """`torch.manual_seed(seed); layer = torch.nn.Embedding(vocab_size, dim)`, looked up live."""

    CSS_PATH = "app.tcss"
    BINDINGS = bindings()

    matrix = Panel(MatrixView)
    ids_input = Panel(IdInput)
    toggles = Panel(ToggleBar)
    result = Panel(ResultView)
    flags = Panel(FlagsView)
    status = Panel(StatusBar)

    def __init__(
        self,
        vocab_size: int = 6,
        dim: int = 3,
        seed: int = 123,
        dtype: str = "float32",
        ids: str = "",
        lang: str | None = None,
        freeze: bool | None = None,
        no_grad: bool = False,
        weights: WeightFile | None = None,
        vocab: Vocab | None = None,
        tokenizer: TextTokenizer | None = None,
        options: LayerOptions | None = None,
    ) -> None:
        """`weights`: a weight file opened by `tui.core.weights.open_weights`, shown instead of a seeded layer.
        `freeze` None keeps torch's default: trainable when seeded, frozen from a file. `vocab`: row labels.
        `tokenizer`: lets the input take text (F5) as well as IDs. `options`: nn.Embedding's padding_idx,
        max_norm, scale_grad_by_freq and sparse."""
        super().__init__()
        self.lang = resolve_lang(lang)
        if self.lang not in LANGUAGES:
            raise ValueError(translate("en", "spec.lang", value=lang, choices=", ".join(LANGUAGES)))
        self.weights = weights
        self.vocab = vocab or (tokenizer.vocab if tokenizer else None)
        self.tokenizer = tokenizer
        self._text_mode = False
        self._tokens: Tokens | None = None  # the text in the input, cut into tokens (text mode)
        self._kept = {True: "", False: ""}  # what the input held in the other mode
        options = options or LayerOptions()
        if weights is None:
            self.spec = LayerSpec(vocab_size, dim, seed, dtype, options)
            self.spec.check()
        else:
            rows, cols = weights.tensor.shape
            self.spec = LayerSpec(rows, cols, dtype=str(weights.tensor.dtype).removeprefix("torch."), options=options)
            options.check(rows)
        self._initial_ids = single_line(ids)
        self._initial_toggles = (weights is not None if freeze is None else freeze, no_grad)
        self.session: EmbeddingSession | None = None  # set once torch has built the layer
        self.lookup: Lookup | None = None  # the last good lookup, kept while the input is invalid
        self._parsed = ParsedIds((), ())  # the IDs of that lookup, with where they were typed
        self._typed: ParsedIds | None = None  # the IDs in the input now; None while it is invalid
        self._loading_step = "weight.loading_step.import"
        self.loss, self.lr = "sum", 0.1  # what backward() starts from, and SGD's learning rate
        self._busy: str | None = None  # the training action running in a worker: it has the layer
        self._reset_lab()
        self.title = self.t("app.title")

    def t(self, key: str, **params: object) -> str:
        """The catalog text for `key` in this app's language."""
        return translate(self.lang, key, **params)

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        spec = self.spec
        if self.weights is None:
            title = self.t("weight.loading", vocab_size=spec.vocab_size, dim=spec.dim, dtype=spec.dtype)
        else:
            title = printable(self.t("weight.loading_file", name=self.weights.key, file=self.weights.path.name))
        yield LoadingPanel(title, self._loading_line, id="loading")
        yield MatrixView(id="matrix")
        ids_input = IdInput(self._initial_ids, self.t("input.placeholder_ids"), id="ids", select_on_focus=False)
        ids_input.border_title = self.t("input.label_ids")
        yield ids_input
        toggles = (
            Toggle("freeze", self.t("toggle.freeze") + " (F2)"),
            Toggle("no_grad", self.t("toggle.no_grad") + " (F3)"),
            Toggle("grad", self.t("toggle.view")),
        )
        on = {name for name, value in zip(("freeze", "no_grad"), self._initial_toggles, strict=True) if value}
        yield ToggleBar(toggles, on, id="toggles", disabled=True)
        result = ResultView(id="result")
        result.border_title = self.t("result.title")
        yield result
        yield FlagsView(id="flags")
        yield StatusBar(self.t, id="status")

    def on_mount(self) -> None:
        self._explorer.add_class("-explorer")
        self.matrix.display = False
        ids_input = self.ids_input
        ids_input.focus()
        # Watchers run inside the key's own handler, so a key and its lookup are painted in one frame.
        self.watch(ids_input, "value", self._on_ids_changed, init=False)
        self.watch(ids_input, "selection", self._follow_cursor, init=False)
        self.result.show(self.t("result.waiting"))
        self._create_session()

    @property
    def _explorer(self) -> Screen:
        """The app's own screen, also while a panel is open over it."""
        return self.screen_stack[0]

    def on_resize(self, event: events.Resize) -> None:
        """Wide terminals put the flags beside the result; tall ones give the extra rows to the matrix.
        The event's size, not `self.size`: the app's own size is updated after this handler."""
        width, height = event.size
        self._explorer.set_class(width >= WIDE, "-wide")
        self.matrix.styles.max_height = TITLE + max(height // 3, height - BELOW_MATRIX)

    # -- the session, created off the event loop ---------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False)
    def _create_session(self) -> None:
        from tui.core.session import EmbeddingSession  # imports torch: seconds on a cold start

        self._loading_step = "weight.loading_step.create"
        session = EmbeddingSession(self.spec, self.weights)
        session.set_frozen(self._initial_toggles[0])
        session.no_grad = self._initial_toggles[1]
        self.call_from_thread(self._session_ready, session)

    def _loading_line(self, seconds: float) -> str:
        step = self.t(self._loading_step, size=human_size(self.spec.nbytes))
        return self.t("weight.loading_elapsed", step=step, seconds=seconds)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.error is not None:
            for panel in self.query(LoadingPanel):
                panel.stop()
            error = event.worker.error
            self.status.show(self.t("error.unexpected", error=f"{type(error).__name__}: {error}"), True)

    def _session_ready(self, session: EmbeddingSession) -> None:
        """Show a new layer: the first one, or one opened from a file later (F6)."""
        for panel in self.query(LoadingPanel):
            panel.stop()
        matrix = self.matrix
        matrix.display = True
        matrix.set_source(session.rows)
        matrix.set_tokens(self.vocab.label if self.vocab else None)
        toggles = self.toggles
        toggles.set_value("freeze", session.frozen)
        toggles.set_value("no_grad", session.no_grad)
        toggles.set_value("grad", False)
        toggles.disabled = False
        self.session, self.spec, self.lookup = session, session.spec, None
        self._reset_lab()
        self._show_weight_title(session.weight_flags())
        self._update()
        if session.layer.padding_idx is not None:
            self._say(Message("train.padding_init", {"row": session.layer.padding_idx}))
        if self.vocab is not None:
            tokens, rows = len(self.vocab), self.spec.vocab_size
            if tokens != rows:
                self._say(Message("vocab.size_mismatch", {"tokens": tokens, "rows": rows}), error=True)
            else:
                self._say(Message("vocab.loaded", {"path": self.vocab.path.name, "tokens": tokens}))

    # -- typing ------------------------------------------------------------------------------
    @guarded
    def _on_ids_changed(self) -> None:
        ids_input = self.ids_input
        clean = single_line(ids_input.value)
        if clean != ids_input.value:  # pasted line breaks or control characters
            ids_input.value = clean
            return
        self._step = None  # a step's before/after gives way to the new lookup
        self._update()

    def _update(self) -> None:
        """Parse, look up and show; on a bad ID keep the last good result and say what is wrong."""
        self._typed = None
        renormed = False
        try:
            parsed = self._read_input(self.ids_input.value)
            if self.session is None or self._busy is not None:  # the lab looks up again when it is done
                return
            if self.lookup is None or parsed.ids != self.lookup.ids:  # a comma or a space changes nothing
                self.lookup = self.session.lookup(parsed)
                renormed = bool(self.lookup.renormed)
        except IdError as error:
            self._say(error.message, error=True)
            self.result.show(self.lookup.text if self.lookup else "", stale=True)
            return
        self._parsed = self._typed = parsed
        self._show(self.lookup)
        if renormed:
            self._renormed(self.lookup)
        self._follow_cursor()

    def _read_input(self, value: str) -> ParsedIds:
        """IDs as typed, or (text mode) the tokenizer's IDs for the text."""
        if not self._text_mode:
            return parse_ids(value)
        self._tokens = self.tokenizer.encode(value)
        return self._tokens.parsed

    @guarded
    def action_toggle_text(self) -> None:
        """Switch the input between IDs and text; back in IDs, it holds the IDs the text gave."""
        if self.tokenizer is None:
            self._say(Message("tokenizer.needed"), error=True)
            return
        ids_input = self.ids_input
        self._kept[self._text_mode] = ids_input.value
        self._text_mode = not self._text_mode
        mode = "text" if self._text_mode else "ids"
        ids_input.border_title = self.t(f"input.label_{mode}")
        ids_input.placeholder = self.t(f"input.placeholder_{mode}")
        if not self._text_mode and self._tokens is not None:
            self._kept[False] = ", ".join(map(str, self._tokens.ids))
        self.lookup = None  # the same IDs read another way: show them again
        if ids_input.value == self._kept[self._text_mode]:
            self._update()  # the value watcher runs only on a change
        ids_input.value = self._kept[self._text_mode]
        ids_input.cursor_position = len(ids_input.value)

    @guarded
    def _follow_cursor(self) -> None:
        """Keep the row of the ID under the input's cursor in view, while typing and moving alike: in the
        matrix, and in the result while it prints one line per ID (torch neither summarised nor wrapped it)."""
        if self._typed is not None:
            typed = self._typed.index_at(self.ids_input.cursor_position)
            if typed is not None:
                self.matrix.show_row(self._typed.ids[typed])
                result = self.result
                if self.lookup is not None and result.text == self.lookup.text and result.line_count == len(self.lookup.ids):
                    result.show_line(typed)

    def _show(self, lookup: Lookup) -> None:
        """Show a lookup; each widget repaints only what differs from what it shows."""
        result = self.result
        title, text = self._panel(lookup)
        if result.border_title != title:  # another text (a step's before and after, the gradient): from its top
            result.border_title = title
            result.scroll_home(animate=False, immediate=True)
        result.show(text)
        self.flags.show(lookup, self.t("flags.result"), self.t("flags.weight"))
        self.matrix.set_marks(lookup.positions, self._prefixes)
        self._show_weight_title(lookup.weight)
        if lookup.ids:
            if self._text_mode and self._tokens is not None:
                pieces = " | ".join(visible(piece) for piece in self._tokens.pieces)
                self._say(Message("status.tokens", {"count": len(lookup.ids), "pieces": pieces, "ids": list(lookup.ids)}))
            else:
                self._say(Message("status.ok"))  # the same words on every key: the status repaints only on a change
        else:
            self._say(Message("status.empty", {"dim": self.spec.dim}))

    def _show_weight_title(self, weight: WeightFlags) -> None:
        """The matrix's title: what it shows (the weight, or in the grad view its gradient)."""
        flags = {"kind": weight.kind, "shape": weight.shape, "dtype": weight.dtype, "requires_grad": weight.requires_grad}
        title = self._matrix_title()
        if title is None and self.weights is None:
            title = self.t("weight.title", **flags)
        elif title is None:
            file, key, size = self.weights.path.name, self.weights.key, human_size(self.weights.nbytes)
            title = printable(self.t("weight.title_file", file=file, name=key, size=size, **flags))
        matrix = self.matrix
        if str(matrix.border_title) != title:
            matrix.border_title = Text(title)  # literal: a shape such as [6, 3] is not markup

    def _say(self, message: Message, error: bool = False) -> None:
        self.status.show(message.render(self.lang), error)

    # -- toggles -----------------------------------------------------------------------------
    @guarded
    def on_toggle_bar_changed(self, event: ToggleBar.Changed) -> None:
        if self.session is None:
            return
        if self._busy is not None:  # the lab's worker has the layer
            self.toggles.set_value(event.name, not event.value)
            return
        if event.name == "grad":
            self._show_view(event.value)
            return
        if event.name == "freeze":
            self.session.set_frozen(event.value)
            key = "toggle.freeze_on" if event.value else "toggle.freeze_off"
        else:
            self.session.no_grad = event.value
            key = "toggle.no_grad_on" if event.value else "toggle.no_grad_off"
        self.lookup = self.session.lookup(self._parsed)
        self._show(self.lookup)
        self._say(Message(key))

    def action_toggle_freeze(self) -> None:
        self._toggle("freeze")

    def action_toggle_no_grad(self) -> None:
        self._toggle("no_grad")

    def _toggle(self, name: str) -> None:
        """The toggles wait for the layer: before it exists there is nothing to freeze."""
        if self.session is not None:
            self.toggles.flip(name)

    # -- other actions -----------------------------------------------------------------------
    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.t))

    @guarded
    def action_copy_code(self) -> None:
        if self.session is None or self.lookup is None or not self._lab_ready():
            return
        script = self.code_script()
        self.copy_to_clipboard(script)
        self.push_screen(CodeScreen(script, self.t("copy.title"), self.t("copy.done")))

    def code_script(self) -> str:
        """The script that reproduces the result on screen."""
        code = self.weights.code if self.weights else None
        session = self.session
        return reproduce_script(self.spec, self.lookup.ids, session.frozen, session.no_grad, code, session.history)

    @guarded
    def on_matrix_view_row_chosen(self, event: MatrixView.RowChosen) -> None:
        ids_input = self.ids_input
        ids_input.value = append_id(ids_input.value, event.row)
        ids_input.cursor_position = len(ids_input.value)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in COMMANDS:
            yield SystemCommand(self.t(command.label), self.t(command.help), getattr(self, f"action_{command.action}"))
        yield from super().get_system_commands(screen)
