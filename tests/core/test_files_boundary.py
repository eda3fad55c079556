"""One boundary for files from outside (`tui.core.files.paths`): every reader opens through it, a FIFO or
device is never opened, and every file problem is named for what it is, on every surface, in one line."""

import ast
import json
import os
import signal
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from safetensors.torch import save_file

import tui.core
from tui.core.files import gguf_files
from tui.core.files.models import ModelError, cached_models, find_model
from tui.core.tokens.tokenizer import byte_level_bpe
from tui.core.tokens.vocab import VocabError

CORE = Path(tui.core.__file__).parent
REPO = CORE.parents[1]
READERS = {"open", "read_text", "read_bytes", "safe_open", "from_file", "memmap", "ZipFile", "is_zipfile", "load"}
OPENERS = {"held", "open_regular"}
ALLOWED = {  # (module, call): why it reads no file from outside by its name
    ("files/weights.py", "archive.open"): "a member of a zip archive that was opened through the boundary",
}


def _name(node: ast.expr) -> str:
    return ast.unparse(node)


def _writes(call: ast.Call) -> bool:
    """An open for writing (an export, a saved script): output, not a file from outside."""
    modes = [*call.args[:1], *(kw.value for kw in call.keywords if kw.arg == "mode")]
    said = [node.value for mode in modes for node in ast.walk(mode) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    return bool(said) and all(set(mode) & set("wxa") for mode in said)


def _reads(tree: ast.AST) -> list[tuple[int, str, bool]]:
    """Every call that reads a file by its name: (line, call, inside a `with` of the boundary's openers)."""
    found = []

    def visit(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, ast.With):
            guarded = guarded or any(isinstance(item.context_expr, ast.Call) and _name(item.context_expr.func).split(".")[-1] in OPENERS for item in node.items)
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            receiver = _name(func.value) if isinstance(func, ast.Attribute) else ""
            load = called == "load" and receiver in ("np", "numpy", "torch", "json")
            if (called in READERS - {"load"} or load) and receiver not in ("files", "paths", "self") and not _writes(node):
                if not (isinstance(func, ast.Name) and called in ("read_text", "read_bytes")):  # the boundary's own, imported
                    found.append((node.lineno, _name(func), guarded))
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(tree, False)
    return found


def test_every_file_from_outside_is_opened_through_the_boundary() -> None:
    outside, guarded = [], 0
    for path in sorted(CORE.rglob("*.py")):
        module = str(path.relative_to(CORE))
        if module == "files/paths.py":
            continue
        for line, call, inside in _reads(ast.parse(path.read_text(encoding="utf-8"))):
            guarded += inside
            if not inside and (module, call) not in ALLOWED:
                outside.append(f"{module}:{line} {call}(")
    assert guarded >= 8, "the readers of weights, GGUF and model headers open through the boundary"
    assert outside == [], f"{outside}: files read by name outside tui.core.files.paths (open them with held/open_regular)"


def test_the_check_finds_a_reader_outside_the_boundary() -> None:
    source = "import numpy as np\nfrom safetensors import safe_open\n\ndef f(p):\n    with safe_open(p) as f:\n        return np.load(p), open(p).read(), p.read_text()\n"
    assert [call for _, call, guarded in _reads(ast.parse(source)) if not guarded] == ["safe_open", "np.load", "open", "p.read_text"]
    guarded = "def f(p):\n    with held(p) as name, safe_open(name) as f:\n        return f\n"
    assert [call for _, call, guarded in _reads(ast.parse(guarded)) if not guarded] == []


# -- FIFOs: refused before they are opened, in a real process with a timeout -------------------------
FIFO_CASES = """
import json, signal, sys
from tui.cli import main


class Hung(Exception):
    pass


def hung(signum, frame):
    raise Hung  # raised from the handler, so the blocked open() is not retried (PEP 475)


signal.signal(signal.SIGALRM, hung)
results = {}
for name, argv in json.loads(sys.argv[1]).items():
    print("started", name, file=sys.stderr, flush=True)
    signal.alarm(10)
    try:
        results[name] = main(argv)
    except SystemExit as exit:
        results[name] = exit.code
    except Hung:
        results[name] = "hung"
    signal.alarm(0)
print(json.dumps(results))
"""


def test_a_fifo_where_a_file_is_expected_is_refused_not_waited_on(tmp_path: Path) -> None:
    weights = {"embeddings.word_embeddings.weight": torch.zeros(4, 2)}
    shard = tmp_path / "sharded"
    shard.mkdir()
    index = {"weight_map": {"embeddings.word_embeddings.weight": "model-00002-of-00002.safetensors", "norm": "model-00001-of-00002.safetensors"}}
    (shard / "model.safetensors.index.json").write_text(json.dumps(index), encoding="utf-8")
    os.mkfifo(shard / "model-00002-of-00002.safetensors")
    os.mkfifo(shard / "model-00001-of-00002.safetensors")
    config = tmp_path / "config_fifo"
    config.mkdir()
    save_file(weights, config / "model.safetensors")
    os.mkfifo(config / "config.json")
    single = tmp_path / "single"
    single.mkdir()
    os.mkfifo(single / "model.safetensors")
    ggufs = tmp_path / "ggufs"
    ggufs.mkdir()
    os.mkfifo(ggufs / "model.gguf")
    os.mkfifo(tmp_path / "text.txt")
    os.mkfifo(tmp_path / "tokenizer.json")
    (tmp_path / "story.txt").write_text("a story of words " * 20, encoding="utf-8")
    cases = {
        "shard named in an index": ["--model", str(shard), "lookup", "0"],
        "index with no known name": ["--model", str(shard), "--key", "norm", "lookup", "0"],
        "config.json": ["--model", str(config), "lookup", "0"],
        "models listing of folders": ["models", str(shard), str(single), str(ggufs), str(config)],
        "vocab-from-text": ["--vocab-from-text", str(tmp_path / "text.txt"), "lookup", "--text", "a"],
        "tokenizer.json": ["windows", "--tokenizer", str(tmp_path / "tokenizer.json"), "--text-file", str(tmp_path / "story.txt")],
        "text file": ["windows", "--text-file", str(tmp_path / "text.txt")],
    }
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_CACHE": str(tmp_path / "no-cache"), "LANG": "C.UTF-8"}
    try:
        done = subprocess.run([sys.executable, "-c", FIFO_CASES, json.dumps(cases)], capture_output=True, text=True, timeout=90, env=env)
    except subprocess.TimeoutExpired as expired:  # blocked where no signal reaches (an open() in Rust retries)
        started = [line for line in (expired.stderr or b"").decode().splitlines() if line.startswith("started ")]
        pytest.fail(f"blocked on a FIFO: {started[-1] if started else '?'}")
    assert done.returncode == 0, done.stderr
    done.stderr = "\n".join(line for line in done.stderr.splitlines() if not line.startswith("started "))
    codes = json.loads(done.stdout.strip().splitlines()[-1])
    assert codes == {**dict.fromkeys(cases, 2), "models listing of folders": 0}, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("not a file saved on disk (a pipe, a device or a socket)") >= 5, done.stderr
    listing = done.stdout.splitlines()
    assert sum("not a file saved on disk" in line for line in listing) == 4, done.stdout


def test_a_file_swapped_for_a_fifo_after_it_was_looked_at_is_refused_without_waiting(tmp_path: Path, monkeypatch) -> None:
    from tui.core.files import paths

    os.mkfifo(tmp_path / "swapped")
    monkeypatch.setattr(paths, "kind_of", lambda path: (paths.Kind.FILE, ""))  # a regular file when it was looked at

    def hung(signum, frame):
        raise TimeoutError("open() waited for a writer")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    try:
        with pytest.raises(paths.FileProblem) as refused:
            paths.read_bytes(tmp_path / "swapped")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert refused.value.message.key == "file.special"


# -- deep nesting: a value or our error, never a RecursionError --------------------------------------
def _nested_gguf(depth: int) -> np.ndarray:
    """A GGUF header with one key whose value is an array of arrays, `depth` deep, around one uint8."""
    value = struct.pack("<IQB", 0, 1, 7)  # an array of one uint8
    for _ in range(depth - 1):
        value = struct.pack("<IQ", 9, 1) + value  # an array of one array
    key = b"k"
    data = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", len(key)) + key + struct.pack("<I", 9) + value
    return np.frombuffer(data, dtype=np.uint8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(1, 6000))
@example(depth=gguf_files.MAX_NESTING)
@example(depth=gguf_files.MAX_NESTING + 1)  # the boundary, every run
def test_nested_gguf_arrays_are_read_or_refused_by_depth(depth: int) -> None:
    try:
        fields = gguf_files.parse(_nested_gguf(depth)).fields
    except ValueError as error:
        assert depth > gguf_files.MAX_NESTING and "nested" in str(error)
    else:
        assert depth <= gguf_files.MAX_NESTING
        value = fields["k"]
        for _ in range(depth - 1):
            value = value[0]
        assert value.tolist() == [7]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(1, 200000), where=st.sampled_from(["config.json", "model.safetensors.index.json"]))
def test_deeply_nested_json_in_a_model_folder_is_one_refusal(tmp_path_factory, depth: int, where: str) -> None:
    folder = tmp_path_factory.mktemp("nested")
    save_file({"embeddings.word_embeddings.weight": torch.zeros(4, 2)}, folder / "model.safetensors")
    (folder / where).write_text("[" * depth + "]" * depth, encoding="utf-8")
    with pytest.raises(ModelError) as refused:
        find_model(str(folder))
    assert refused.value.message.key in ("file.json_deep", "file.json_bad", "model.bad_index")


def test_deeply_nested_json_through_the_cli_is_one_line(tmp_path: Path, cli) -> None:
    save_file({"embeddings.word_embeddings.weight": torch.zeros(4, 2)}, tmp_path / "model.safetensors")
    (tmp_path / "config.json").write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    done = cli("--model", str(tmp_path), "lookup", "0")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "nests its JSON deeper than can be read" in done.stderr


# -- the Hugging Face cache: a broken entry skipped and said --------------------------------------
REVISION = "0123456789abcdef0123456789abcdef01234567"


def _cache_entry(cache: Path, repo: str, weights: Path | None = None) -> Path:
    root = cache / ("models--" + repo.replace("/", "--"))
    (root / "snapshots" / REVISION).mkdir(parents=True)
    (root / "refs").mkdir()
    (root / "refs" / "main").write_text(REVISION, encoding="utf-8")
    if weights is not None:
        (root / "blobs").mkdir()
        (root / "blobs" / "b1").write_bytes(weights.read_bytes())
        (root / "snapshots" / REVISION / "model.safetensors").symlink_to("../../blobs/b1")
    return root


@pytest.fixture
def good_weights(tmp_path: Path) -> Path:
    save_file({"embeddings.word_embeddings.weight": torch.zeros(4, 2)}, tmp_path / "good.safetensors")
    return tmp_path / "good.safetensors"


def test_one_broken_cache_entry_is_skipped_and_said(tmp_path: Path, good_weights: Path, cli, monkeypatch) -> None:
    cache = tmp_path / "cache"
    _cache_entry(cache, "org/good", good_weights)
    looping = _cache_entry(cache, "org/loop") / "refs" / "main"
    looping.unlink()
    looping.symlink_to(looping)
    (_cache_entry(cache, "org/latin") / "refs" / "main").write_bytes(b"\xff\xfe caf\xe9")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    done = cli("models")
    assert done.returncode == 0 and done.stdout.startswith("org/good: embeddings.word_embeddings.weight (4, 2)"), done
    assert "could not be written" not in done.stderr + done.stdout
    assert "models--org--loop" in done.stderr and "symbolic link that loops" in done.stderr
    assert "models--org--latin" in done.stderr and "holds no commit hash" in done.stderr
    listed = cached_models(cache)
    assert listed.ids == ("org/good",) and len(listed.skipped) == 2
    for repo in ("org/loop", "org/latin"):
        done = cli("--model", repo, "lookup", "0")
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done


def test_f6_says_which_cache_entries_it_skipped(tmp_path: Path, good_weights: Path, monkeypatch) -> None:
    from tui.core.explorer.explorer import Explorer, Setup

    cache = tmp_path / "cache"
    _cache_entry(cache, "org/good", good_weights)
    looping = _cache_entry(cache, "org/loop") / "refs" / "main"
    looping.unlink()
    looping.symlink_to(looping)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    explorer = Explorer(Setup.of(vocab_size=6, dim=3))
    explorer.settle(explorer.start())
    view = explorer.settle(explorer.ask_open())
    assert explorer.panel.cached == ("org/good",)
    assert "models--org--loop" in view.status.text and "loops" in view.status.text


def test_a_cache_that_is_a_file_is_said_not_a_traceback(tmp_path: Path, cli, monkeypatch) -> None:
    (tmp_path / "cache").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    listed = cli("models")
    assert listed.returncode == 0 and "is a file, not a folder" in listed.stderr
    opened = cli("--model", "org/name", "lookup", "0")
    assert opened.returncode == 2 and "is a file, not a folder" in opened.stderr and opened.stderr.count("\n") == 1


def test_every_file_of_a_cached_model_follows_one_rule(tmp_path: Path, good_weights: Path) -> None:
    cache = tmp_path / "cache"
    snapshot = _cache_entry(cache, "org/leaky", good_weights) / "snapshots" / REVISION
    (tmp_path / "secret.json").write_text(json.dumps({"model_type": "bert"}), encoding="utf-8")
    for name in ("config.json", "tokenizer.json"):
        (snapshot / name).symlink_to(tmp_path / "secret.json")
        with pytest.raises(ModelError) as refused:
            find_model("org/leaky", cache=cache)
        assert refused.value.message.key == "model.symlink_out" and name in refused.value.message.english()
        (snapshot / name).unlink()
    assert find_model("org/leaky", cache=cache).file.name == "model.safetensors"


# -- links named for what they are -----------------------------------------------------------------
def test_links_that_loop_or_lead_nowhere_are_named(tmp_path: Path, good_weights: Path, cli) -> None:
    (tmp_path / "loop.safetensors").symlink_to(tmp_path / "loop.safetensors")
    (tmp_path / "gone.safetensors").symlink_to(tmp_path / "nothing.safetensors")
    assert "symbolic link that loops" in cli("--weights", str(tmp_path / "loop.safetensors"), "lookup", "0").stderr
    assert "symbolic link to nothing" in cli("--weights", str(tmp_path / "gone.safetensors"), "lookup", "0").stderr
    cache = tmp_path / "cache"
    snapshot = _cache_entry(cache, "org/partial") / "snapshots" / REVISION
    index = {"weight_map": {"embeddings.word_embeddings.weight": "model-00001-of-00001.safetensors"}}
    (snapshot / "model.safetensors.index.json").write_text(json.dumps(index), encoding="utf-8")
    (snapshot / "model-00001-of-00001.safetensors").symlink_to("../../blobs/never-downloaded")
    with pytest.raises(ModelError) as refused:
        find_model("org/partial", cache=cache)
    assert refused.value.message.key == "file.dangling" and "incomplete" not in refused.value.message.english()
    (snapshot / "config.json").symlink_to(snapshot / "config.json")
    with pytest.raises(ModelError) as refused:
        find_model("org/partial", cache=cache)
    assert refused.value.message.key == "file.loop" and "config.json" in refused.value.message.english()


# -- input problems are not output problems --------------------------------------------------------
def test_a_bad_path_is_an_input_problem_not_unwritable_output(tmp_path: Path, good_weights: Path, cli) -> None:
    long_name = "x" * 300
    (tmp_path / "plain").write_text("a file", encoding="utf-8")
    for args in (
        ("--model", str(tmp_path / long_name), "lookup", "0"),
        ("--model", str(tmp_path / "plain" / "below"), "lookup", "0"),
        ("--weights", str(tmp_path / f"{long_name}.safetensors"), "lookup", "0"),
        ("--vocab", str(tmp_path / "plain" / "vocab.txt"), "lookup", "0"),
    ):
        done = cli(*args)
        assert done.returncode == 2 and "could not be written" not in done.stderr and done.stderr.count("\n") == 1, (args, done)
    listed = cli("models", str(tmp_path / long_name))
    assert "could not be written" not in listed.stderr + listed.stdout


def test_folders_and_empty_names_are_named_for_what_they_are(tmp_path: Path, cli) -> None:
    (tmp_path / "story.txt").write_text("a story of words " * 20, encoding="utf-8")
    done = cli("--vocab-from-text", str(tmp_path), "lookup", "--text", "a")
    assert done.returncode == 2 and "is a folder" in done.stderr and "no such" not in done.stderr
    done = cli("windows", "--tokenizer", "", "--text-file", str(tmp_path / "story.txt"))
    assert done.returncode == 2 and "--tokenizer" in done.stderr and "'.'" not in done.stderr
    done = cli("windows", "--text-file", "")
    assert done.returncode == 2 and "--text-file" in done.stderr


# -- merges files: the file and the line -----------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "said"),
    [("no such merge", "a merge is two tokens"), ("a \u202e", "stands for no byte"), (".", "a merge is two tokens"), ("h e", "the merges do not make this vocabulary")],
)
def test_a_broken_merges_file_names_the_file_and_the_line(tmp_path: Path, gpt2_files: Path, line: str, said: str) -> None:
    merges = (gpt2_files / "vocab.bpe").read_text(encoding="utf-8").split("\n")
    merges[5] = line  # line 6 of the file
    (tmp_path / "merges.txt").write_text("\n".join(merges), encoding="utf-8")
    with pytest.raises(VocabError) as raised:
        byte_level_bpe("broken", gpt2_files / "encoder.json", tmp_path / "merges.txt")
    text = raised.value.message.english()
    assert "merges.txt, line 6" in text and said in text and "AssertionError" not in text and "KeyError" not in text


def _gguf_with_no_tokens(path: Path) -> Path:
    """A GGUF file whose token list is there and empty (llama.cpp's writer leaves an empty list out)."""

    def text(value: str) -> bytes:
        return struct.pack("<Q", len(value.encode())) + value.encode()

    head = b"GGUF" + struct.pack("<IQQ", 3, 1, 2)
    head += text("tokenizer.ggml.model") + struct.pack("<I", 8) + text("gpt2")
    head += text("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 0)
    head += text("token_embd.weight") + struct.pack("<IQQIQ", 2, 3, 4, 0, 0)  # 4 rows of 3, F32, at 0
    path.write_bytes(head + bytes(-len(head) % 32) + struct.pack("<12f", *[1.0] * 12))
    return path


def test_a_gguf_with_an_empty_token_list_opens_without_labels_and_says_why(tmp_path: Path, cli) -> None:
    done = cli("--weights", str(_gguf_with_no_tokens(tmp_path / "empty.gguf")), "lookup", "1")
    assert "zip()" not in done.stderr and "ValueError" not in done.stderr
    assert done.returncode == 0 and "tensor([[1., 1., 1.]]" in done.stdout and "lists no tokens" in done.stderr, done


def test_merge_ranks_are_tiktokens_own_for_gpt2(gpt2_files: Path, monkeypatch) -> None:
    """The copied scripts call tiktoken's reader: the app's must give the same ranks, line for line."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # read the files, not a copy tiktoken kept under their paths
    from tiktoken.load import data_gym_to_mergeable_bpe_ranks

    from tui.core.tokens.merges import bpe_ranks

    expected = data_gym_to_mergeable_bpe_ranks(str(gpt2_files / "vocab.bpe"), str(gpt2_files / "encoder.json"))
    assert bpe_ranks(gpt2_files / "encoder.json", gpt2_files / "vocab.bpe") == expected
