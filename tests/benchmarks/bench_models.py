"""`embedding-explorer models` over a Hugging Face cache of 50 models: seconds, against bare `import torch`.

Run from the repository root, in the venv:

    python tests/benchmarks/bench_models.py            # 3 rounds
    python tests/benchmarks/bench_models.py --quick    # 1 round

The cache is made here, laid out as huggingface_hub lays it out (blobs, snapshots/<rev>/ symlinks, refs/main):
50 models, half single files and half sharded in three with an index, each embedding 32000 × 256 float32.
Measured: the whole command, in a fresh process, as a person runs it; for scale, in the same rounds, a fresh
`python -c "import torch"`, which the command does without (it reads safetensors headers with the numpy
framework). Target (the models issue): ≤ 1 s for dozens of models. Not collected by pytest.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bench_common import machine_header, median, round_parser, rounds, table, verdict

MODELS = 50
TARGET = 1.0  # seconds


def make_cache(cache: Path) -> None:
    import torch
    from safetensors.torch import save_file

    for number in range(MODELS):
        root = cache / f"models--org--model{number}"
        snapshot = root / "snapshots" / ("%040d" % number)
        (root / "blobs").mkdir(parents=True)
        snapshot.mkdir(parents=True)
        (root / "refs").mkdir()
        (root / "refs" / "main").write_text("%040d" % number, encoding="utf-8")
        files = {"model.safetensors": {"model.embed_tokens.weight": torch.zeros(32000, 256)}}
        if number % 2:
            files = {f"model-0000{i}-of-00003.safetensors": {f"layer{i}.weight": torch.zeros(64, 64)} for i in (1, 3)}
            files["model-00002-of-00003.safetensors"] = {"model.embed_tokens.weight": torch.zeros(32000, 256)}
            weight_map = {name: file for file, tensors in files.items() for name in tensors}
            index = root / "blobs" / f"index{number}"
            index.write_text(json.dumps({"metadata": {}, "weight_map": weight_map}), encoding="utf-8")
            (snapshot / "model.safetensors.index.json").symlink_to(Path("../../blobs") / index.name)
        for file, tensors in files.items():
            blob = root / "blobs" / f"{number}-{file}"
            save_file(tensors, blob)
            (snapshot / file).symlink_to(Path("../../blobs") / blob.name)


def seconds(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    import os

    args = round_parser(__doc__, "rounds", sizes=False).parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        make_cache(cache)
        env = dict(os.environ, HF_HUB_CACHE=str(cache))
        command = [sys.executable, "-m", "tui", "models"]
        listed = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout.splitlines()
        assert len(listed) == MODELS and not any("✗" in line for line in listed), listed[:3]
        app, bare = [], []
        for _ in range(rounds(args)):
            app.append(seconds(command, env))
            bare.append(seconds([sys.executable, "-c", "import torch"], env))
    print(machine_header(f"embedding-explorer models: {MODELS} cached models (half sharded), seconds"))
    rows = [
        ("embedding-explorer models", f"{median(app):.2f}", f"{median(app) / median(bare):.2f}", verdict(median(app) <= TARGET)),
        ('python -c "import torch"', f"{median(bare):.2f}", "1.00", ""),
    ]
    print(table(("", "seconds", "÷ import torch", f"≤ {TARGET:g} s"), rows))


if __name__ == "__main__":
    main()
