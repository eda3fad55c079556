"""The bonus notebook's lesson: looking rows up is multiplying a one-hot matrix by the weight.

Both ways run in real torch on the layer on screen: `layer(input_ids)` and
`one_hot(input_ids, num_classes).float() @ layer.weight` (the one-hot printed as the notebook prints it,
integers, and converted in the product), the notebook's `nn.Linear(num_classes, dim,
bias=False)` holding `layer.weight.T`, and a backward() through each on copies of the weight, whose
gradients are compared. Nothing here changes the layer, its gradient or its history.

The comparison is a list of steps, each a line of code and what torch printed for it: the report shows
them, and the copied script is the same lines (tests run it and compare).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.core.chapter.code import tensor_literal
from tui.core.chapter.history import LOSSES

if TYPE_CHECKING:
    from tui.core.chapter.session import EmbeddingSession
    from tui.core.tokens.parse import ParsedIds


@dataclass(frozen=True)
class Step:
    """A line of code, and what torch printed for its expression (None: a statement, nothing printed)."""

    code: str
    printed: str | None = None

    def report(self) -> str:
        """`print(x)` and the tensor below it; a check with its answer after it, as a comment."""
        if self.printed is None:
            return self.code
        if self.code.startswith("print("):
            return f"{self.code}\n{self.printed}"
        return f"{self.code}  # {self.printed}"

    def script(self) -> str:
        if self.printed is None or self.code.startswith("print("):
            return self.code
        return f"print({self.code})"


def cost(session: EmbeddingSession, parsed: ParsedIds) -> int:
    """Bytes the comparison allocates: the one-hot matrix (int64) and its copy in the weight's dtype, and two
    copies of the weight with their gradients."""
    spec = session.spec
    return len(parsed.ids) * (8 * spec.vocab_size + spec.nbytes // spec.dim) + 4 * spec.nbytes


def compare(session: EmbeddingSession, parsed: ParsedIds, loss: str) -> list[Step]:
    """The comparison in the notebook's order, worked out in torch."""
    import torch
    from torch.nn import functional

    layer, spec = session.layer, session.spec
    weight = layer.weight
    ids = torch.tensor(parsed.ids, dtype=torch.long).reshape(parsed.shape)
    one_hot = functional.one_hot(ids, num_classes=spec.vocab_size)  # int64, as the notebook prints it
    hot = one_hot.to(weight.dtype)
    looked_up = functional.embedding(ids, weight, layer.padding_idx)  # no max_norm: it would change rows
    multiplied = hot @ weight
    linear = torch.nn.Linear(spec.vocab_size, spec.dim, bias=False, dtype=weight.dtype)
    with torch.no_grad():
        linear.weight.copy_(weight.T)
    by_linear = linear(hot)
    grads = []
    for way in (lambda w: functional.embedding(ids, w, layer.padding_idx), lambda w: hot @ w):
        copy = weight.detach().clone().requires_grad_(True)
        result = way(copy)
        (result.sum() if loss == "sum" else (result**2).mean()).backward()
        grads.append(copy.grad)
    rows = grads[0].abs().sum(dim=1).nonzero().flatten().tolist()
    as_weight = ".float()" if spec.dtype == "float32" else f".to(torch.{spec.dtype})"
    padding = "" if layer.padding_idx is None else f", padding_idx={layer.padding_idx}"
    steps = [
        Step(f"input_ids = {tensor_literal(parsed.ids, parsed.rows)}"),
        Step(f"one_hot = torch.nn.functional.one_hot(input_ids, num_classes={spec.vocab_size})"),
        Step("print(one_hot)", repr(one_hot)),
        Step(f"print(one_hot{as_weight} @ layer.weight)", repr(multiplied)),
        Step("print(layer(input_ids))", repr(looked_up)),
        Step(f"torch.equal(one_hot{as_weight} @ layer.weight, layer(input_ids))", str(torch.equal(multiplied, looked_up))),
        Step(f"torch.allclose(one_hot{as_weight} @ layer.weight, layer(input_ids))", str(torch.allclose(multiplied, looked_up))),
        Step(f"linear = torch.nn.Linear({spec.vocab_size}, {spec.dim}, bias=False)"),  # its weight is (out, in)
        Step("linear.weight = torch.nn.Parameter(layer.weight.T)"),
        Step(f"print(linear(one_hot{as_weight}))", repr(by_linear)),
        Step(f"# {LOSSES[loss]}.backward() through each way, on copies of the weight:"),
        Step("grads = []"),
        Step(f"for way in (lambda w: torch.nn.functional.embedding(input_ids, w{padding}), lambda w: one_hot{as_weight} @ w):"),
        Step("    copy = layer.weight.detach().clone().requires_grad_(True)"),
        Step("    result = way(copy)"),
        Step(f"    {LOSSES[loss]}.backward()"),
        Step("    grads.append(copy.grad)"),
        Step("torch.equal(grads[0], grads[1])", str(torch.equal(grads[0], grads[1]))),
        Step("rows_with_gradient = grads[0].abs().sum(dim=1).nonzero().flatten().tolist()"),
        Step("rows_with_gradient", str(rows)),
    ]
    if layer.padding_idx is not None and layer.padding_idx in parsed.ids:
        steps.append(Step(f"# padding_idx={layer.padding_idx}: the lookup gives that row no gradient; one_hot @ weight does"))
    return steps


def report(steps: list[Step]) -> str:
    """The steps as the F12 panel and `lookup --one-hot` show them: code, then what torch printed."""
    return "\n".join(step.report() for step in steps)


def script(made: list[str], name: str, steps: list[Step]) -> str:
    """The steps as a script after `made` (the lines that make the layer on screen, called `name`): run, it
    prints what the report shows."""
    return "\n".join([*made, f"layer = {name}  # the matrix on screen", *(step.script() for step in steps)]) + "\n"
