"""How big a matrix the app takes: sizes read from a file or typed are checked against this before anything
is allocated."""

MAX_ELEMENTS = 128256 * 4096  # Llama 3's embedding matrix
