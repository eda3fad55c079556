"""Layer options are checked before torch is imported, with messages that say what is valid."""

import pytest

from tui.core.spec import LayerSpec, SpecError, human_size


@pytest.mark.parametrize(
    "spec, key",
    [
        (LayerSpec(vocab_size=0), "spec.vocab_size"),
        (LayerSpec(dim=-3), "spec.dim"),
        (LayerSpec(dtype="int8"), "spec.dtype"),
        (LayerSpec(seed=-1), "spec.seed"),
        (LayerSpec(vocab_size=128257, dim=4096), "spec.too_big"),
    ],
)
def test_bad_specs_are_refused(spec: LayerSpec, key: str) -> None:
    with pytest.raises(SpecError) as caught:
        spec.check()
    assert caught.value.message.key == key


def test_llama_size_is_allowed() -> None:
    LayerSpec(vocab_size=128256, dim=4096, dtype="bfloat16").check()


def test_human_size() -> None:
    assert human_size(50257 * 768 * 4) == "154.4 MB"
    assert human_size(12) == "12 B"
