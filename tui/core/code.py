"""Copy as code: a Python script that reproduces what the screen shows.

Pasted into Python, it prints exactly the result text on screen, and, once the layer has been trained,
the weight and its gradient too (a test runs it and compares). Training is printed from the session's
history, the same events the session ran, in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tui.core.history import LOSSES, Backward, Event, Forward, Step, ZeroGrad
from tui.core.spec import LayerSpec

if TYPE_CHECKING:  # the weights module imports torch; this one must not
    from tui.core.weights import Code


def tensor_literal(ids: tuple[int, ...]) -> str:
    """How the book writes the input: `torch.tensor([2, 3, 5, 1])` (an empty list needs a dtype)."""
    return f"torch.tensor({list(ids)})" if ids else "torch.tensor([], dtype=torch.long)"


def reproduce_script(
    spec: LayerSpec,
    ids: tuple[int, ...],
    frozen: bool,
    no_grad: bool,
    weights: Code | None = None,
    history: Sequence[Event] = (),
) -> str:
    """The seed and the layer (or the weight file and `from_pretrained`), what was done to it, the toggles,
    the lookup and the prints, as the book writes them."""
    options = spec.options.code()
    if weights is None:
        dtype = "" if spec.dtype == "float32" else f", dtype=torch.{spec.dtype}"
        lines = ["import torch", "", f"torch.manual_seed({spec.seed})"]
        lines.append(f"layer = torch.nn.Embedding({spec.vocab_size}, {spec.dim}{dtype}{options})")
    else:
        lines = ["import torch", *weights.imports, "", f"weight = {weights.expression}"]
        lines.append(f"layer = torch.nn.Embedding.from_pretrained(weight{options})  # frozen by default")
    if history and isinstance(history[-1], Forward) and history[-1].ids == ids:
        history = history[:-1]  # the final lookup below is that same lookup
    trained, requires_grad = _training_lines(history, weights is None)
    lines += trained
    if requires_grad == frozen:
        lines.append(f"layer.weight.requires_grad_({not frozen})")
    lines.append(f"input_ids = {tensor_literal(ids)}")
    if no_grad:
        lines += ["with torch.no_grad():", "    result = layer(input_ids)"]
    else:
        lines.append("result = layer(input_ids)")
    lines.append("print(result)")
    if history:
        lines += ["print(layer.weight)", "print(layer.weight.grad)"]
    return "\n".join(lines) + "\n"


def _training_lines(history: Sequence[Event], requires_grad: bool) -> tuple[list[str], bool]:
    """The events as code, and whether the weight requires grad after them. A backward ran on a trainable
    weight (torch refuses otherwise), so that is the only point where the flag must be set."""
    lines: list[str] = []
    lr = None
    for event in history:
        if isinstance(event, Forward):
            lines.append(f"layer({tensor_literal(event.ids)})  # max_norm renormalises these rows in place")
        elif isinstance(event, Backward):
            if not requires_grad:
                lines.append("layer.weight.requires_grad_(True)")
                requires_grad = True
            lines += [f"result = layer({tensor_literal(event.ids)})", f"{LOSSES[event.loss]}.backward()"]
        elif isinstance(event, Step):
            if lr is None:
                lines.append(f"optimizer = torch.optim.SGD(layer.parameters(), lr={event.lr!r})")
            elif event.lr != lr:
                lines.append(f'optimizer.param_groups[0]["lr"] = {event.lr!r}')
            lr = event.lr
            lines.append("optimizer.step()")
        elif isinstance(event, ZeroGrad):
            lines.append("layer.zero_grad()")
    return lines, requires_grad
