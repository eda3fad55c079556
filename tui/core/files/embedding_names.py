"""The names weight files give things: the formats the app reads, and where models keep their token
embeddings. No torch here: listing models reads only names and headers."""

FORMATS = (".safetensors", ".pt", ".pth", ".bin", ".npy", ".npz", ".gguf")
# Where models keep their token embeddings, most specific first (the book's GPTModel: tok_emb).
KNOWN_KEYS = (
    "wte.weight",
    "transformer.wte.weight",
    "tok_emb.weight",
    "model.embed_tokens.weight",
    "embed_tokens.weight",
    "embeddings.word_embeddings.weight",
    "bert.embeddings.word_embeddings.weight",
    "token_embedding.weight",
    "shared.weight",
    "model.decoder.embed_tokens.weight",
    "gpt_neox.embed_in.weight",
    "tok_embeddings.weight",
    "token_embd.weight",  # GGUF (llama.cpp)
    "transformer.word_embeddings.weight",
    "word_embeddings.weight",
    "embedding.weight",
)
