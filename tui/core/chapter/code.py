"""Copy as code: a Python script that reproduces what the screen shows.

Pasted into Python, it prints exactly the result text on screen, and, once the layer has been trained,
the weight and its gradient too (a test runs it and compares). Training is printed from the session's
history, the same events the session ran, in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui.core.chapter.history import LOSSES, Backward, Event, Forward, Step, ZeroGrad
from tui.core.chapter.spec import LayerSpec
from tui.core.files.script_files import ScriptFile, top
from tui.core.tokens.parse import shape_of

if TYPE_CHECKING:  # the weights and tokenizer modules import torch; this one must not
    from tui.core.files.weights import Code
    from tui.core.tokens.tokenizer import TokenizerCode


def tensor_literal(ids: tuple[int, ...], rows: int | None = None) -> str:
    """How the book writes the input: `torch.tensor([2, 3, 5, 1])`, a batch `torch.tensor([[2, 3], [5, 1]])`
    (no IDs at all need a dtype)."""
    if rows is None:
        return f"torch.tensor({list(ids)})" if ids else "torch.tensor([], dtype=torch.long)"
    length = shape_of(ids, rows)[-1]
    nested = [list(ids[row * length : (row + 1) * length]) for row in range(rows)]
    return f"torch.tensor({nested})" if ids else f"torch.tensor({nested}, dtype=torch.long)"


def reproduce_script(
    spec: LayerSpec,
    ids: tuple[int, ...],
    frozen: bool,
    no_grad: bool,
    weights: Code | None = None,
    history: Sequence[Event] = (),
    *,
    rows: int | None = None,
    context_length: int | None = None,
    typed: tuple[TokenizerCode, str] | None = None,
) -> str:
    """The input, the seed and the layer (or the weight file and `from_pretrained`), what was done to it,
    the toggles, the lookup and the prints, with the book's names (`input_ids`, `embedding_layer`). With a
    `context_length`, section 2.8's: `token_embedding_layer`, `pos_embedding_layer` made right after it,
    and the input embeddings, each printed with its shape. With `typed` (a tokenizer's code and the text typed),
    the IDs are the text encoded by that code, printed first."""
    if history and isinstance(history[-1], Forward) and history[-1].ids == ids:
        history = history[:-1]  # the final lookup below is that same lookup
    lines, name = made_lines(spec, ids, frozen, weights, history, rows=rows, context_length=context_length, typed=typed)
    if not history:
        lines.append(f"print({name}.weight)")
    lookup = [f"print({name}(input_ids))"] if context_length is None else _input_embeddings_lines(name, rows, ids)
    if no_grad:
        lines += ["with torch.no_grad():", *("    " + line for line in lookup)]
    else:
        lines += lookup
    if history:
        lines += [f"print({name}.weight)", f"print({name}.weight.grad)"]
        if context_length is not None:
            lines += ["print(pos_embedding_layer.weight)", "print(pos_embedding_layer.weight.grad)"]
    return "\n".join(lines) + "\n"


def made_lines(
    spec: LayerSpec,
    ids: tuple[int, ...],
    frozen: bool,
    weights: Code | None,
    history: Sequence[Event],
    *,
    rows: int | None = None,
    context_length: int | None = None,
    typed: tuple[TokenizerCode, str] | None = None,
) -> tuple[list[str], str]:
    """The script up to the layer as it is on screen (made, trained, its flag set), and the layer's name; the
    IDs written, or (`typed`) the text typed encoded by the tokenizer's code."""
    options = spec.options.code()
    name = "embedding_layer" if context_length is None else "token_embedding_layer"
    dtype = "" if spec.dtype == "float32" else f", dtype=torch.{spec.dtype}"
    tokenizer, text = typed if typed is not None else (None, "")
    imports = [*(weights.imports if weights is not None else []), *(tokenizer.imports if tokenizer is not None else [])]
    files = (*(weights.files if weights is not None else ()), *(tokenizer.files if tokenizer is not None else ()))
    lines = ["import torch", *imports, "", *top(files)]
    if tokenizer is None:
        lines.append(f"input_ids = {tensor_literal(ids, rows)}")
    else:
        encoded = 'tokenizer.encode(text, allowed_special={"<|endoftext|>"})'
        lines += [*tokenizer.lines, "", f"text = {text!r}", f"input_ids = torch.tensor({encoded})", "print(input_ids.tolist())"]
    if weights is None:
        lines.append(f"vocab_size = {spec.vocab_size}" if tokenizer is None else f"vocab_size = len(tokenizer.vocab)  # {spec.vocab_size}")
        lines.append(f"output_dim = {spec.dim}")
        lines += [] if context_length is None else [f"context_length = {context_length}"]
        lines += ["", f"torch.manual_seed({spec.seed})", f"{name} = torch.nn.Embedding(vocab_size, output_dim{dtype}{options})"]
    else:
        lines += [f"weight = {weights.expression}"]
        lines.append(f"{name} = torch.nn.Embedding.from_pretrained(weight{options})  # frozen by default")
        if context_length is not None:
            lines += [f"context_length, output_dim = {context_length}, weight.shape[1]", f"torch.manual_seed({spec.seed})"]
    if context_length is not None:
        lines.append(f"pos_embedding_layer = torch.nn.Embedding(context_length, output_dim{dtype})")
    trained, requires_grad = _training_lines(history, weights is None, name, context_length is not None)
    lines += trained
    if requires_grad == frozen:
        lines.append(f"{name}.weight.requires_grad_({not frozen})")
    if context_length is not None and frozen:  # made trainable, as torch makes every new layer
        lines.append("pos_embedding_layer.weight.requires_grad_(False)")
    return lines, name


def _input_embeddings_lines(name: str, rows: int | None, ids: tuple[int, ...]) -> list[str]:
    """Section 2.8's three steps, each printed with its shape."""
    length = shape_of(ids, rows)[-1]
    steps = (
        ("token_embeddings", f"{name}(input_ids)"),
        ("pos_embeddings", f"pos_embedding_layer(torch.arange({length}))"),
        ("input_embeddings", "token_embeddings + pos_embeddings"),
    )
    return [line for step, made in steps for line in (f"{step} = {made}", f"print({step}.shape)", f"print({step})")]


BOOK_DATASET = '''
class GPTDatasetV1(Dataset):
    def __init__(self, txt, tokenizer, max_length, stride):
        self.input_ids = []
        self.target_ids = []

        token_ids = tokenizer.encode(txt, allowed_special={"<|endoftext|>"})

        for i in range(0, len(token_ids) - max_length, stride):
            input_chunk = token_ids[i:i + max_length]
            target_chunk = token_ids[i + 1: i + max_length + 1]
            self.input_ids.append(torch.tensor(input_chunk))
            self.target_ids.append(torch.tensor(target_chunk))

    def __len__(self):
        return len(self.input_ids)

    def __getitem__(self, idx):
        return self.input_ids[idx], self.target_ids[idx]


def create_dataloader_v1(txt, batch_size=4, max_length=256, stride=128, shuffle=True, drop_last=True, num_workers=0):
    dataset = GPTDatasetV1(txt, tokenizer, max_length, stride)
    generator = torch.Generator().manual_seed({seed})  # the app shuffles with a seeded generator
    return DataLoader(
        dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, num_workers=num_workers, generator=generator
    )
'''


def windows_script(path: str, tokenizer: TokenizerCode, options: str, seed: int, index: int) -> str:
    """Section 2.6 as the book writes it (`GPTDatasetV1`, `create_dataloader_v1`), on the text at `path` with
    the `tokenizer`'s lines and the loader's `options` (as code), shuffled by a generator seeded with `seed`,
    printing batch `index`'s inputs and targets."""
    lines = [
        "import torch",
        "from torch.utils.data import DataLoader, Dataset",
        *tokenizer.imports,
        "",
        *top((ScriptFile("TEXT", "the text cut into windows", Path(path)), *tokenizer.files)),
        *tokenizer.lines,
        "",
        BOOK_DATASET.replace("{seed}", str(seed)),
        'with open(TEXT, "r", encoding="utf-8") as f:',
        "    raw_text = f.read()",
        "",
        f"dataloader = create_dataloader_v1(raw_text, {options})",
        "data_iter = iter(dataloader)",
        *([f"for _ in range({index}):  # the batches before batch {index}", "    next(data_iter)"] if index else []),
        "inputs, targets = next(data_iter)",
        "print(inputs)",
        "print(targets)",
    ]
    return "\n".join(lines) + "\n"


SCRIPT_NAME = "embedding_layer.py"  # a saved script's name; taken, the next free of embedding_layer-2.py, -3, …


def diff_script(made: Sequence[str], a: str, b: str, by: str, top: int, rotated: bool = False) -> str:
    """A against B (the expressions `a` and `b`, over what the lines `made` make), rows aligned by ID: the
    counts of equal and changed rows, then (A rotated onto B first when `rotated`: orthogonal Procrustes)
    the `top` rows ranked by `by` with ‖a‖, ‖b‖, ‖b − a‖, ‖b − a‖ / ‖a‖ and cosine(a, b), computed as the
    diff panel computes them."""
    keys = {"delta": "delta.double()", "relative": "relative.double()", "cosine": "-cosine.double()  # the least similar first"}
    key = keys.get(by, keys["delta"] + "  # (the panel ranked by neighbours kept: here by ‖b − a‖)")
    lines = [
        *made, "",
        f"a = {a}.float()",
        f"b = {b}.float()",
        "rows = min(a.shape[0], b.shape[0])  # rows aligned by ID: those past the shorter matrix are only in one",
        "a, b = a[:rows], b[:rows]",
        "equal = (a == b).all(dim=1)",
        'print(f"{rows} rows aligned by ID: {int(equal.sum())} equal, {rows - int(equal.sum())} changed")',
        *([
            "u, _, vh = torch.linalg.svd((a.T @ b).double())  # orthogonal Procrustes: R = U Vᵀ brings A nearest B",
            "before = torch.linalg.matrix_norm(b - a)",
            "a = a @ (u @ vh).float()",
            'print(f"A rotated onto B: ‖B − A‖ {before:.6g} → ‖B − AR‖ {torch.linalg.matrix_norm(b - a):.6g}")',
        ] if rotated else []),
        "norm_a = torch.linalg.vector_norm(a, dim=1)",
        "norm_b = torch.linalg.vector_norm(b, dim=1)",
        "delta = torch.linalg.vector_norm(b - a, dim=1)  # ‖b − a‖",
        "relative = torch.where(delta == 0, 0.0, delta / norm_a)",
        "cosine = torch.linalg.vecdot(a, b) / (norm_a * norm_b)",
        f"keys = {key}",
        "keys = torch.where(keys.isnan(), -torch.inf, keys)  # a NaN comes last",
        "ranked = torch.sort(keys, descending=True, stable=True).indices",
        'print("rank", "id", "norm_a", "norm_b", "delta", "relative", "cosine", sep="\\t")',
        f"for rank, row in enumerate(ranked[:{top}].tolist(), 1):",
        '    print(rank, row, *(f"{values[row].item():.4g}" for values in (norm_a, norm_b, delta, relative, cosine)), sep="\\t")',
    ]
    return "\n".join(lines) + "\n"


def save_script(script: str, folder: Path) -> Path:
    """Write `script` to a new file in `folder` (SCRIPT_NAME, else `embedding_layer-2.py`, …), never over an
    existing one."""
    stem = Path(SCRIPT_NAME).stem
    for number in range(1, 1000):
        path = folder / (SCRIPT_NAME if number == 1 else f"{stem}-{number}.py")
        try:
            with path.open("x", encoding="utf-8") as file:
                file.write(script)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{folder}/{stem}-*.py: all names taken")


def _training_lines(history: Sequence[Event], requires_grad: bool, name: str, positions: bool) -> tuple[list[str], bool]:
    """The events as code, and whether the weight requires grad after them. A backward ran on a trainable
    weight (torch refuses otherwise), so that is the only point where the flag must be set. With
    `positions`, backward starts from the input embeddings and the step and zero_grad take both layers."""
    lines: list[str] = []
    lr = None
    for event in history:
        literal = tensor_literal(event.ids, event.rows) if isinstance(event, (Forward, Backward)) else ""
        if isinstance(event, Forward):
            lines.append(f"{name}({literal})  # max_norm renormalises these rows in place")
        elif isinstance(event, Backward):
            if not requires_grad:
                lines.append(f"{name}.weight.requires_grad_(True)")
                requires_grad = True
            added = f" + pos_embedding_layer(torch.arange({event.shape[-1]}))" if positions else ""
            lines += [f"result = {name}({literal}){added}", f"{LOSSES[event.loss]}.backward()"]
        elif isinstance(event, Step):
            if lr is None:
                parameters = f"[{name}.weight, pos_embedding_layer.weight]" if positions else f"{name}.parameters()"
                lines.append(f"optimizer = torch.optim.SGD({parameters}, lr={event.lr!r})")
            elif event.lr != lr:
                lines.append(f'optimizer.param_groups[0]["lr"] = {event.lr!r}')
            lr = event.lr
            lines.append("optimizer.step()")
        elif isinstance(event, ZeroGrad):
            lines.append(f"{name}.zero_grad()")
            if positions:
                lines.append("pos_embedding_layer.zero_grad()")
    return lines, requires_grad
