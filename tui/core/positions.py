"""Section 2.8: positional embeddings, added to the token embeddings to make the input embeddings.

`pos_embedding_layer = torch.nn.Embedding(context_length, dim)` is made as a script making it right after
the token layer would (`EmbeddingSession.positional_layer`); positions 0..T-1 of the input are looked up in
it, and broadcasting adds those rows to every row of a batch. Nothing here changes the token layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.code import tensor_literal
from tui.core.messages import Message, MessageError

if TYPE_CHECKING:
    import torch

    from tui.core.parse import ParsedIds
    from tui.core.session import EmbeddingSession


def _shape(tensor: torch.Tensor) -> str:
    return str(list(tensor.shape))


def input_embeddings(session: EmbeddingSession, parsed: ParsedIds, context_length: int) -> str:
    """The three steps as code and torch's prints, each with its shape; an input longer than the context
    length is refused with torch's own IndexError and the first position without a row."""
    import torch
    from torch.nn import functional

    if context_length < 1:
        raise MessageError(Message("positions.context_length", {"value": context_length}))
    layer = session.layer
    ids = torch.tensor(parsed.ids, dtype=torch.long).reshape(parsed.shape)
    length = parsed.shape[-1]
    positional = session.positional_layer(context_length)
    try:
        pos_embeddings = positional(torch.arange(length))
    except IndexError as error:
        params = {"length": length, "context": context_length, "last": context_length - 1, "torch_error": f"IndexError: {error}"}
        raise MessageError(Message("positions.too_long", params)) from None
    token_embeddings = functional.embedding(ids, layer.weight, layer.padding_idx)  # as looked up (max_norm done)
    summed = token_embeddings + pos_embeddings
    broadcast = (
        f"# {_shape(token_embeddings)} + {_shape(pos_embeddings)} → {_shape(summed)}: broadcasting adds the same "
        f"{length} position rows to each of the {parsed.shape[0]} rows of the batch"
        if parsed.rows is not None
        else f"# {_shape(token_embeddings)} + {_shape(pos_embeddings)} → {_shape(summed)}: row t gets position t's row"
    )
    return "\n".join(
        [
            f"input_ids = {tensor_literal(parsed.ids, parsed.rows)}",
            f"context_length = {context_length}",
            f"pos_embedding_layer = torch.nn.Embedding(context_length, {session.spec.dim})  # right after the token layer",
            "",
            "token_embedding_layer = layer  # the matrix on screen",
            "token_embeddings = token_embedding_layer(input_ids)",
            f"print(token_embeddings.shape)  # {token_embeddings.shape}",
            repr(token_embeddings),
            "",
            f"pos_embeddings = pos_embedding_layer(torch.arange({length}))",
            f"print(pos_embeddings.shape)  # {pos_embeddings.shape}",
            repr(pos_embeddings),
            "",
            "input_embeddings = token_embeddings + pos_embeddings",
            f"print(input_embeddings.shape)  # {summed.shape}",
            repr(summed),
            broadcast,
        ]
    )
