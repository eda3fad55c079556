"""Copy as code: a Python script that reproduces what the screen shows.

Pasted into Python, it prints exactly the result text on screen (a test runs it and compares).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.spec import LayerSpec

if TYPE_CHECKING:  # the weights module imports torch; this one must not
    from tui.core.weights import Code


def tensor_literal(ids: tuple[int, ...]) -> str:
    """How the book writes the input: `torch.tensor([2, 3, 5, 1])` (an empty list needs a dtype)."""
    return f"torch.tensor({list(ids)})" if ids else "torch.tensor([], dtype=torch.long)"


def reproduce_script(
    spec: LayerSpec, ids: tuple[int, ...], frozen: bool, no_grad: bool, weights: Code | None = None
) -> str:
    """The seed and the layer (or the weight file and `from_pretrained`), the toggles, the lookup and the
    print, as the book writes them."""
    if weights is None:
        dtype = "" if spec.dtype == "float32" else f", dtype=torch.{spec.dtype}"
        lines = ["import torch", "", f"torch.manual_seed({spec.seed})", f"layer = torch.nn.Embedding({spec.vocab_size}, {spec.dim}{dtype})"]
        toggle = "layer.weight.requires_grad_(False)" if frozen else None
    else:
        lines = ["import torch", *weights.imports, "", f"weight = {weights.expression}"]
        lines.append("layer = torch.nn.Embedding.from_pretrained(weight)  # frozen by default")
        toggle = None if frozen else "layer.weight.requires_grad_(True)"
    if toggle:
        lines.append(toggle)
    lines.append(f"input_ids = {tensor_literal(ids)}")
    if no_grad:
        lines += ["with torch.no_grad():", "    result = layer(input_ids)"]
    else:
        lines.append("result = layer(input_ids)")
    lines.append("print(result)")
    return "\n".join(lines) + "\n"
