"""A word's BPE steps (or WordPiece matches): the steps panel's word, the one under the input's cursor, and
its lines, which `bpe --steps` prints too (one rendering for both)."""

from __future__ import annotations

from collections.abc import Callable

from tui.core.explorer.panels import StepsOpen
from tui.core.texts.messages import Message, MessageError
from tui.core.texts.shown import visible
from tui.core.tokens.bpe_steps import Start, WordSteps, steps_for
from tui.core.tokens.tokenizer import TextTokenizer


def steps_at(tokenizer: TextTokenizer, text: str, cursor: int) -> StepsOpen:
    """The steps panel for the word at `cursor` in `text`: that word's steps alone, or why there are none."""
    if tokenizer.steps is None:
        return StepsOpen(tokenizer.name, said=Message("steps.none", {"tokenizer": tokenizer.name}))
    try:
        stepper = steps_for(tokenizer.steps)
    except MessageError as error:  # a model with no steps (Unigram, WordLevel), or a file gone bad since
        return StepsOpen(tokenizer.name, said=error.message)
    found = stepper.word_at(text, cursor)
    if found is None:
        return StepsOpen(tokenizer.name, said=Message("steps.no_word", {}))
    number, word = found
    return StepsOpen(tokenizer.name, number, word, stepper.start)


def word_lines(number: int, word: WordSteps, start: Start, t: Callable[..., str]) -> list[str]:
    """Word `number`'s steps: its first pieces, each merge (or longest match), its tokens and IDs; every
    piece made visible (`Ġ` and `##` as the tokenizer writes them), the lines after the first indented."""

    def pieces(shown: tuple[str, ...]) -> str:
        return " ".join(visible(piece) for piece in shown)

    lines = [t("steps.word", n=number, word=visible(word.word))]
    if start != "word" and len(word.start) > 1:
        lines.append(t(f"steps.start_{start}", pieces=pieces(word.start)))
    for n, step in enumerate(word.steps, 1):
        if step.rank is None:
            lines.append(t("steps.match", n=n, piece=visible(step.parts[0]), pieces=pieces(step.pieces)))
        else:
            lines.append(t("steps.merge", n=n, left=visible(step.parts[0]), right=visible(step.parts[1]), rank=step.rank, pieces=pieces(step.pieces)))
    if start != "word" and not word.steps:
        lines.append(t("steps.no_merge"))
    if word.tokens != (word.steps[-1].pieces if word.steps else word.start):  # WordPiece's unknown word
        lines.append(t("steps.unknown", unknown=pieces(word.tokens)))
    lines.append(t("steps.tokens", tokens=pieces(word.tokens), ids=list(word.ids)))
    return ["  " * bool(at) + line for at, line in enumerate(lines)]
