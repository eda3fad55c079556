"""The one list of commands: it feeds the key bindings, the key bar, the help panel and the palette."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    keys: str  # Textual key names, comma separated
    display: str  # how the keys are written for people
    action: str
    label: str  # catalog key of the short name (key bar)
    help: str  # catalog key of the sentence (help panel, command palette)


# In the order of the key bar, cropped on the right when the terminal is narrow: the most needed first.
COMMANDS: tuple[Command, ...] = (
    Command("f1,question_mark", "F1 ?", "help", "key.help", "key.help.long"),
    Command("ctrl+q,q", "^Q q", "quit", "key.quit", "key.quit.long"),
    Command("f2,f", "F2 f", "toggle_freeze", "key.freeze", "key.freeze.long"),
    Command("f3,n", "F3 n", "toggle_no_grad", "key.no_grad", "key.no_grad.long"),
    Command("f4,c", "F4 c", "copy_code", "key.copy", "key.copy.long"),
    Command("f7,b", "F7 b", "backward", "key.backward", "key.backward.long"),
    Command("f8,s", "F8 s", "step", "key.step", "key.step.long"),
    Command("f9,z", "F9 z", "zero_grad", "key.zero_grad", "key.zero_grad.long"),
    Command("ctrl+t,v", "^T v", "toggle_view", "key.view", "key.view.long"),
    Command("ctrl+z,u", "^Z u", "undo_step", "key.undo", "key.undo.long"),
    Command("ctrl+r,r", "^R r", "reset_weights", "key.reset", "key.reset.long"),
    Command("ctrl+o,p", "^O p", "training_options", "key.options", "key.options.long"),
    Command("f5,t", "F5 t", "toggle_text", "key.text", "key.text.long"),
    Command("f6,o", "F6 o", "open_weights", "key.open", "key.open.long"),
    Command("ctrl+g,g", "^G g", "goto_row", "key.goto", "key.goto.long"),
    Command("ctrl+f,slash", "^F /", "find_token", "key.find", "key.find.long"),
    Command("f10,x", "F10 x", "toggle_maximize", "key.maximize", "key.maximize.long"),
    Command("f12,h", "F12 h", "one_hot", "key.one_hot", "key.one_hot.long"),
    Command("f11,w", "F11 w", "show_windows", "key.windows", "key.windows.long"),
    Command("ctrl+l,l", "^L l", "switch_matrix", "key.switch_matrix", "key.switch_matrix.long"),
    Command("ctrl+n,m", "^N m", "show_about", "key.about", "key.about.long"),
    Command("ctrl+y,k", "^Y k", "neighbours", "key.neighbours", "key.neighbours.long"),
    Command("ctrl+b,d", "^B d", "statistics", "key.statistics", "key.statistics.long"),
    Command("ctrl+s,e", "^S e", "compare", "key.compare", "key.compare.long"),
    Command("i", "i", "show_compared", "key.compared", "key.compared.long"),
    Command("ctrl+e,a", "^E a", "show_steps", "key.steps", "key.steps.long"),  # ^E: a priority key of the main screen (the input's own ^E is End's)
    Command("j", "j", "train_tokenizer", "key.train_bpe", "key.train_bpe.long"),
)

# Keys that belong to Textual's own widgets, listed in the help panel so it names every key.
OTHER_KEYS: tuple[tuple[str, str], ...] = (
    ("Tab", "key.focus_next.long"),
    ("Shift+Tab", "key.focus_previous.long"),
    ("Esc", "key.clear_input.long"),
    ("↑ ↓ ← →", "key.matrix_move.long"),
    ("PgUp PgDn", "key.matrix_page.long"),
    ("Home End", "key.matrix_ends.long"),
    ("Enter", "key.matrix_enter.long"),
    ("← → Space", "key.toggles.long"),
    ("↑ ↓ PgUp PgDn", "key.result_scroll.long"),
    ("Ctrl+P", "key.palette.long"),
)
