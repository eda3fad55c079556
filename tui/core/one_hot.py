"""The bonus notebook's lesson: looking rows up is multiplying a one-hot matrix by the weight.

Both ways run in real torch on the layer on screen: `layer(input_ids)` and
`one_hot(input_ids, num_classes).float() @ layer.weight`, the notebook's `nn.Linear(num_classes, dim,
bias=False)` holding `layer.weight.T`, and a backward() through each on copies of the weight, whose
gradients are compared. Nothing here changes the layer, its gradient or its history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.code import tensor_literal
from tui.core.history import LOSSES

if TYPE_CHECKING:
    from tui.core.parse import ParsedIds
    from tui.core.session import EmbeddingSession

BYTES_WITHOUT_ASKING = 100 * 2**20  # what the comparison may allocate before the app asks first


def cost(session: EmbeddingSession, parsed: ParsedIds) -> int:
    """Bytes the comparison allocates: the one-hot matrix, and two copies of the weight with their gradients."""
    spec = session.spec
    return len(parsed.ids) * spec.vocab_size * 4 + 4 * spec.nbytes


def compare(session: EmbeddingSession, parsed: ParsedIds, loss: str) -> str:
    """The comparison as code and torch's own prints, in the notebook's order."""
    import torch
    from torch.nn import functional

    layer, spec = session.layer, session.spec
    weight = layer.weight
    ids = torch.tensor(parsed.ids, dtype=torch.long).reshape(parsed.shape)
    one_hot = functional.one_hot(ids, num_classes=spec.vocab_size).to(weight.dtype)
    looked_up = functional.embedding(ids, weight, layer.padding_idx)  # no max_norm: it would change rows
    multiplied = one_hot @ weight
    linear = torch.nn.Linear(spec.vocab_size, spec.dim, bias=False, dtype=weight.dtype)
    with torch.no_grad():
        linear.weight.copy_(weight.T)
    by_linear = linear(one_hot)
    grads = []
    for way in (lambda w: functional.embedding(ids, w, layer.padding_idx), lambda w: one_hot @ w):
        copy = weight.detach().clone().requires_grad_(True)
        value = way(copy)
        (value.sum() if loss == "sum" else (value**2).mean()).backward()
        grads.append(copy.grad)
    rows = grads[0].abs().sum(dim=tuple(range(1, grads[0].dim()))).nonzero().flatten().tolist()
    literal = tensor_literal(parsed.ids, parsed.rows)
    as_weight = ".float()" if spec.dtype == "float32" else f".to(torch.{spec.dtype})"
    return "\n".join(
        [
            f"input_ids = {literal}",
            f"one_hot = torch.nn.functional.one_hot(input_ids, num_classes={spec.vocab_size}){as_weight}",
            "print(one_hot)",
            repr(one_hot),
            "",
            "print(one_hot @ layer.weight)",
            repr(multiplied),
            "",
            "print(layer(input_ids))",
            repr(looked_up),
            "",
            f"torch.equal(one_hot @ layer.weight, layer(input_ids))  # {torch.equal(multiplied, looked_up)}",
            f"torch.allclose(one_hot @ layer.weight, layer(input_ids))  # {torch.allclose(multiplied, looked_up)}",
            "",
            f"linear = torch.nn.Linear({spec.vocab_size}, {spec.dim}, bias=False)",  # its weight is (out, in)
            "linear.weight = torch.nn.Parameter(layer.weight.T)",
            "print(linear(one_hot))",
            repr(by_linear),
            "",
            f"# {LOSSES[loss]}.backward() through each way, on copies of the weight:",
            f"# the same weight.grad: {torch.equal(grads[0], grads[1])}; rows with gradient: {rows}",
            *(
                [f"# padding_idx={layer.padding_idx}: the lookup gives that row no gradient; one_hot @ weight does"]
                if layer.padding_idx is not None and layer.padding_idx in parsed.ids
                else []
            ),
        ]
    )
