"""Layer options are checked before torch is imported, with messages that say what is valid."""

import pytest

from tui.core.chapter.spec import LayerSpec, SpecError
from tui.core.texts.shown import human_size


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


def test_llama_3_is_the_biggest_layer_allowed() -> None:
    llama = LayerSpec(vocab_size=128256, dim=4096, dtype="bfloat16")
    llama.check()  # refused sizes raise: see above
    assert human_size(llama.nbytes) == "1.1 GB"
    with pytest.raises(SpecError) as one_more:
        LayerSpec(vocab_size=128256 * 4096 + 1, dim=1).check()
    assert one_more.value.message.key == "spec.too_big"
    assert "the limit is 525336576 elements (128256 × 4096)" in one_more.value.message.english()


def test_human_size() -> None:
    assert human_size(50257 * 768 * 4) == "154.4 MB"
    assert human_size(12) == "12 B"
