"""What the views say beyond the panels: the keys that matter after each action."""

from tui.core.explorer.commands import COMMANDS
from tui.core.explorer.explorer import Explorer, Setup
from tui.core.explorer.view import View


def explorer(**settings: object) -> Explorer:
    made = Explorer(Setup.of(ids="2, 3, 5, 1", lang="en", **settings))
    made.settle(made.start())
    return made


def key_bar(view: View) -> tuple[str, ...]:
    """The key bar's commands, by their actions."""
    return tuple(action for action, _, _ in view.keys)


def test_the_keys_follow_the_lesson_step_after_backward_undo_after_a_step() -> None:
    lab = explorer()
    first = key_bar(lab.view())
    assert first[:2] == ("help", "quit") and "step" not in first[:6] and first.index("backward") < 6
    after_backward = key_bar(lab.settle(lab.backward()))
    assert after_backward[2:5] == ("step", "zero_grad", "toggle_view")
    after_step = key_bar(lab.settle(lab.step()))
    assert after_step[2:7] == ("step", "undo_step", "zero_grad", "toggle_view", "reset_weights")


def test_every_key_named_is_a_command_and_none_twice() -> None:
    actions = {command.action for command in COMMANDS}
    keys = key_bar(explorer().view())
    assert set(keys) <= actions and len(keys) == len(set(keys))
    assert actions - set(keys) == {"step", "zero_grad", "toggle_view", "undo_step", "reset_weights", "toggle_text", "find_token", "show_windows", "switch_matrix", "show_about", "show_compared", "show_steps", "train_tokenizer"}
