"""Copy as code: a Python script that reproduces what the screen shows.

Pasted into Python, it prints exactly the result text on screen (a test runs it and compares).
"""

from __future__ import annotations

from tui.core.spec import LayerSpec


def tensor_literal(ids: tuple[int, ...]) -> str:
    """How the book writes the input: `torch.tensor([2, 3, 5, 1])` (an empty list needs a dtype)."""
    return f"torch.tensor({list(ids)})" if ids else "torch.tensor([], dtype=torch.long)"


def reproduce_script(spec: LayerSpec, ids: tuple[int, ...], frozen: bool, no_grad: bool) -> str:
    """The seed, the layer, the toggles, the lookup and the print, as the book writes them."""
    dtype = "" if spec.dtype == "float32" else f", dtype=torch.{spec.dtype}"
    lines = [
        "import torch",
        "",
        f"torch.manual_seed({spec.seed})",
        f"layer = torch.nn.Embedding({spec.vocab_size}, {spec.dim}{dtype})",
    ]
    if frozen:
        lines.append("layer.weight.requires_grad_(False)")
    lines.append(f"input_ids = {tensor_literal(ids)}")
    if no_grad:
        lines += ["with torch.no_grad():", "    result = layer(input_ids)"]
    else:
        lines.append("result = layer(input_ids)")
    lines.append("print(result)")
    return "\n".join(lines) + "\n"
