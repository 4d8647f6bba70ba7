"""`fleece export hf` and `fleece import hf`: a trained checkpoint loads in transformers with no
fleece installed and gives fleece's logits, greedy continuation and token ids; importing the
export gives back every weight bit for bit, and `--init-from` and `fleece generate` use it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch
import torch.distributed.checkpoint as dcp
from safetensors.torch import load_file
from torch.distributed.checkpoint import FileSystemReader
from trainer_configs import nano_config, nano_overrides
from trainer_corpus import sentence_documents, train_sentencepiece, write_shards

from model.hf_convert import to_hf_state_dict
from tests.helpers import run_fleece, tree_digest
from tokenizer import encode_batch
from tokenizer.sample_text import synthetic_documents
from trainer.checkpoint import read_model_weights, read_trainer_state, resolve_checkpoint
from trainer.checkpoint_checksums import checkpoint_files, file_sums, write_marker
from trainer.generate import load_for_inference, sample
from trainer.loop import train
from trainer.metrics import read_metrics

transformers = pytest.importorskip("transformers")

STEPS = 40
PROMPT = "Der kleine"
NEW_TOKENS = 12
# Runs in a fresh interpreter where fleece's packages and sentencepiece count as not installed
# (a None entry in sys.modules fails their import), so only the exported files can serve.
LOADER = """
import json, sys
for name in ("tokenizer", "pipeline", "trainer", "settings", "model", "sentencepiece"):
    sys.modules[name] = None
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
prompt, texts, new_tokens, out = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
results = {}
for folder in sys.argv[5:]:
    model = AutoModelForCausalLM.from_pretrained(folder).eval()
    tok = AutoTokenizer.from_pretrained(folder)
    ids = tok(prompt, return_tensors="pt").input_ids
    with torch.no_grad():
        logits = model(ids).logits
        greedy = model.generate(ids, max_new_tokens=new_tokens, do_sample=False)
    results[folder] = {
        "prompt_ids": ids[0].tolist(), "logits": logits[0], "greedy": greedy[0].tolist(),
        "text_ids": [tok(t, add_special_tokens=False).input_ids for t in texts],
        "dtype": str(model.dtype),
        "blocked": all(sys.modules[n] is None for n in ("model", "trainer", "tokenizer")),
    }
torch.save(results, out)
"""


@pytest.fixture(scope="module")
def hf_shards(llama_model: bytes, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Shards encoded with a 2000-piece LLaMA-style tokenizer (byte fallback: exportable)."""
    root = tmp_path_factory.mktemp("hf-shards")
    tokenizer = root / "tokenizer.model"
    tokenizer.write_bytes(llama_model)
    docs = [[1, *ids, 2] for ids in encode_batch(synthetic_documents(160, seed=5), llama_model)]
    return write_shards(str(root / "shards"), docs[20:], docs[:20], 2000, tokenizer=str(tokenizer))


@pytest.fixture(scope="module")
def run_dir(hf_shards: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    run = str(tmp_path_factory.mktemp("hf-run") / "run")
    train(
        nano_config(
            hf_shards, run, steps=STEPS, **{"eval.every": STEPS, "optim.decay_steps": STEPS}
        )
    )
    return run


@pytest.fixture(scope="module")
def exports(run_dir: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The run exported whole and cut into ~300 kB shards."""
    root = tmp_path_factory.mktemp("hf-export")
    run_fleece("export", "hf", run_dir, str(root / "single"))
    run_fleece("export", "hf", run_dir, str(root / "sharded"), "--max-shard-size", "300KB")
    return {"single": root / "single", "sharded": root / "sharded"}


@pytest.fixture(scope="module")
def imported(exports: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    out = str(tmp_path_factory.mktemp("hf-import") / "checkpoint")
    run_fleece("import", "hf", str(exports["sharded"]), out)
    return out


def reseal(checkpoint: Path) -> None:
    """Record a deliberately edited checkpoint's files in its COMPLETE, as if written so."""
    write_marker(str(checkpoint), file_sums(str(checkpoint), checkpoint_files(str(checkpoint))))


def _checkpoint_as_hf(run_dir: str) -> dict[str, torch.Tensor]:
    """The run's weights as `fleece generate` loads them, in Hugging Face's names and layout."""
    model = load_for_inference(run_dir, torch.device("cpu"))[0]
    return to_hf_state_dict(model.state_dict(), model.config)


def _folder_weights(folder: Path) -> dict[str, torch.Tensor]:
    tensors: dict[str, torch.Tensor] = {}
    for file in sorted(folder.glob("*.safetensors")):
        tensors.update(load_file(file))
    return tensors


@pytest.mark.slow
def test_transformers_loads_the_export_without_fleece(
    run_dir: str, exports: dict[str, Path], llama_model: bytes, tmp_path: Path
) -> None:
    texts = synthetic_documents(6, seed=77) + ["  12345 🦙 日本語", "\n\n x"]
    out = tmp_path / "results.pt"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    folders = [str(exports["single"]), str(exports["sharded"])]
    done = subprocess.run(
        [sys.executable, "-I", "-c", LOADER, PROMPT, json.dumps(texts), str(NEW_TOKENS), str(out),
         *folders],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = torch.load(out, weights_only=True)

    model, processor, _ = load_for_inference(run_dir, torch.device("cpu"))
    prompt_ids = [1, *processor.encode(PROMPT)]
    with torch.no_grad():
        logits = model(torch.tensor([prompt_ids]))[0]
    greedy = sample(model, prompt_ids, NEW_TOKENS, temperature=0)
    for folder in folders:
        got = results[folder]
        assert got["blocked"] and got["dtype"] == "torch.float32"
        assert got["prompt_ids"] == prompt_ids
        torch.testing.assert_close(got["logits"], logits, atol=1e-4, rtol=0)
        # HF keeps generating after EOS only when told to; fleece stops at EOS.
        assert got["greedy"][: len(greedy)] == greedy, folder
        assert got["text_ids"] == encode_batch(texts, llama_model)
    assert torch.equal(results[folders[0]]["logits"], results[folders[1]]["logits"])


def test_export_files_hold_the_checkpoints_weights_byte_stably(
    run_dir: str, exports: dict[str, Path], tmp_path: Path
) -> None:
    single, sharded = exports["single"], exports["sharded"]
    assert sorted(p.name for p in single.iterdir()) == sorted(
        ["config.json", "generation_config.json", "model.safetensors", "tokenizer.model",
         "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]
    )  # fmt: skip
    config = json.loads((single / "config.json").read_text())
    state = read_trainer_state(resolve_checkpoint(run_dir))
    assert config["architectures"] == ["LlamaForCausalLM"] and config["model_type"] == "llama"
    assert (config["hidden_size"], config["num_hidden_layers"], config["num_attention_heads"]) == (
        64, 2, 4,
    )  # fmt: skip
    assert config["vocab_size"] == 2000 and config["torch_dtype"] == "float32"
    assert config["max_position_embeddings"] == state["config"]["data"]["seq_len"] == 32
    assert (config["bos_token_id"], config["eos_token_id"], config["tie_word_embeddings"]) == (
        1, 2, False,
    )  # fmt: skip
    tokenizer_config = json.loads((single / "tokenizer_config.json").read_text())
    assert tokenizer_config["model_max_length"] == 32

    expected = _checkpoint_as_hf(run_dir)
    for folder in (single, sharded):
        actual = _folder_weights(folder)
        assert sorted(actual) == sorted(expected)
        for name, tensor in expected.items():
            assert actual[name].dtype == tensor.dtype and torch.equal(actual[name], tensor), name

    index = json.loads((sharded / "model.safetensors.index.json").read_text())
    files = sorted(p.name for p in sharded.glob("*.safetensors"))
    assert len(files) >= 3 and files[0] == f"model-00001-of-{len(files):05d}.safetensors"
    assert sorted(set(index["weight_map"].values())) == files
    assert index["metadata"]["total_size"] == sum(t.numel() * 4 for t in expected.values())
    assert all(os.path.getsize(sharded / f) < 300_000 + 2 * 2000 * 64 * 4 for f in files)

    again = tmp_path / "again"
    run_fleece("export", "hf", run_dir, str(again), "--max-shard-size", "300KB")
    assert tree_digest(again) == tree_digest(sharded)


def test_the_exported_tokenizer_pads_a_batch_with_unk_up_to_the_trained_context(
    run_dir: str, exports: dict[str, Path], llama_model: bytes
) -> None:
    tokenizer = transformers.AutoTokenizer.from_pretrained(
        str(exports["single"]), local_files_only=True
    )
    seq_len = read_trainer_state(resolve_checkpoint(run_dir))["config"]["data"]["seq_len"]
    assert tokenizer.model_max_length == seq_len
    texts = ["Der kleine Hund läuft über die Wiese.", "Ja"]
    long, short = ([1, *ids] for ids in encode_batch(texts, llama_model))  # BOS first
    assert len(short) < len(long)
    assert tokenizer.pad_token_id == 0 == tokenizer.unk_token_id  # Llama 2's choice
    generation = json.loads((exports["single"] / "generation_config.json").read_text())
    assert generation["pad_token_id"] == tokenizer.pad_token_id

    batch = tokenizer(texts, padding=True)
    padding = len(long) - len(short)
    assert batch.input_ids == [long, short + [0] * padding]
    assert batch.attention_mask == [[1] * len(long), [1] * len(short) + [0] * padding]


def test_a_non_empty_output_is_refused_unless_forced(run_dir: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("mine")
    result = run_fleece("export", "hf", run_dir, str(out), expect_ok=False)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {out}: exists and is not empty (--force replaces it)"
    assert (out / "stale.txt").exists()
    run_fleece("export", "hf", run_dir, str(out), "--force")
    assert not (out / "stale.txt").exists() and (out / "model.safetensors").exists()
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())
    checkpoint = resolve_checkpoint(run_dir)
    result = run_fleece("export", "hf", checkpoint, run_dir, "--force", expect_ok=False)
    assert result.exit_code == 1 and "holds the input" in result.output
    assert os.path.exists(checkpoint)


def test_a_tokenizer_that_cannot_be_exact_stops_the_export_before_any_file(
    imported: str, tmp_path: Path
) -> None:
    """SentencePiece's defaults (NFKC normalisation, no byte fallback), not LLaMA's: a fast
    tokenizer would not give its ids, so the export is refused, and no folder appears."""
    checkpoint = tmp_path / "checkpoint"
    shutil.copytree(imported, checkpoint)
    model = train_sentencepiece(sentence_documents(200, seed=3), str(tmp_path / "sp"), 100)
    shutil.copy(model, checkpoint / "tokenizer.model")
    reseal(checkpoint)
    result = run_fleece("export", "hf", str(checkpoint), str(tmp_path / "out"), expect_ok=False)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {checkpoint}: tokenizer.model: normalizer_spec has a precompiled_charsmap "
        "(not identity); cannot export an exact HF tokenizer"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint", "sp.model", "sp.vocab"]


def test_import_of_the_export_gives_every_weight_back(run_dir: str, imported: str) -> None:
    original = read_model_weights(resolve_checkpoint(run_dir))
    back = read_model_weights(imported)
    assert sorted(back) == sorted(original)
    for name, tensor in original.items():
        assert back[name].dtype == tensor.dtype and torch.equal(back[name], tensor), name
    state, base = read_trainer_state(imported), read_trainer_state(resolve_checkpoint(run_dir))
    assert state["model"] == base["model"] and state["step"] == 0
    with open(os.path.join(resolve_checkpoint(run_dir), "tokenizer.model"), "rb") as handle:
        assert Path(imported, "tokenizer.model").read_bytes() == handle.read()
    assert Path(imported, "COMPLETE").exists()


def test_generate_samples_from_an_imported_checkpoint(run_dir: str, imported: str) -> None:
    texts = [
        run_fleece(
            "generate",
            "--checkpoint",
            path,
            "--prompt",
            PROMPT,
            "--temperature",
            "0",
            "--max-new-tokens",
            "16",
        ).output  # fmt: skip
        for path in (run_dir, imported)
    ]
    assert texts[0] == texts[1] and texts[0].startswith(PROMPT)


def test_init_from_starts_at_step_0_where_the_base_model_ended(
    run_dir: str, imported: str, hf_shards: str, tmp_path: Path
) -> None:
    """Weights only: the first validation equals the base run's last one; the schedule, the
    optimizer (its step count) and the sample order start afresh."""
    new_run = str(tmp_path / "continued")
    overrides = nano_overrides(hf_shards, new_run, steps=2, **{"eval.every": 2})
    output = run_fleece("train", "--config", os.devnull, "--init-from", imported,
                        *[a for o in overrides for a in ("-o", o)]).output  # fmt: skip
    assert f"initialised from {imported}: weights only, step 0" in output
    base = read_trainer_state(resolve_checkpoint(run_dir))
    records = read_metrics(new_run)
    validations = [(r["step"], r["val_loss"]) for r in records if r["kind"] == "val"]
    assert validations[0][0] == 0
    assert validations[0][1] == pytest.approx(base["history"]["val"][-1][1], rel=1e-6)
    trains = [r for r in records if r["kind"] == "train"]
    first_run = {r["step"]: r for r in read_metrics(run_dir) if r["kind"] == "train"}
    assert [r["step"] for r in trains] == [1, 2]
    assert [r["lr"] for r in trains] == [first_run[1]["lr"], first_run[2]["lr"]]  # warm-up again
    assert trains[0]["samples"] == first_run[1]["samples"]  # the sample order restarts too
    state = read_trainer_state(resolve_checkpoint(new_run))
    assert state["step"] == 2 and state["init_from"] == imported
    adam_step = read_model_optimizer_step(resolve_checkpoint(new_run))
    assert adam_step == 2  # a fresh AdamW: not 2 more than the base run's 6


def read_model_optimizer_step(path: str) -> float:
    metadata = FileSystemReader(os.path.join(path, "state")).read_metadata()
    key = next(k for k in metadata.state_dict_metadata if k.endswith("norm.weight.step"))
    holder = {key: torch.zeros(())}
    with warnings.catch_warnings():  # "assuming the intent is to load in a single process": yes
        warnings.simplefilter("ignore")
        dcp.load(holder, checkpoint_id=os.path.join(path, "state"), no_dist=True)
    return float(holder[key])


def test_init_from_refuses_another_tokenizer_and_warns_without_one(
    imported: str, hf_shards: str, markov_shards: str, tmp_path: Path
) -> None:
    overrides = nano_overrides(markov_shards, str(tmp_path / "r1"), steps=1)
    result = run_fleece("train", "--config", os.devnull, "--init-from", imported,
                        *[a for o in overrides for a in ("-o", o)], expect_ok=False)  # fmt: skip
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line and line.startswith(f"Error: {imported}/tokenizer.model (sha256 ")
    assert f"{markov_shards}/tokenizer.model (sha256 000000000000 in manifest.json)" in line

    bare = tmp_path / "bare"
    shutil.copytree(imported, bare)
    (bare / "tokenizer.model").unlink()
    reseal(bare)
    overrides = nano_overrides(hf_shards, str(tmp_path / "r2"), steps=1, **{"eval.every": 100})
    result = run_fleece("train", "--config", os.devnull, "--init-from", str(bare),
                        *[a for o in overrides for a in ("-o", o)])  # fmt: skip
    assert f"{bare} has no tokenizer.model: cannot check" in result.output


def test_init_from_loses_to_the_runs_own_checkpoint(
    imported: str, hf_shards: str, tmp_path: Path
) -> None:
    run = str(tmp_path / "run")
    extra = {"eval.every": 100, "checkpoint.every": 1, "checkpoint.resume": "auto"}
    train(nano_config(hf_shards, run, steps=1, init_from=imported, **extra))
    overrides = nano_overrides(hf_shards, run, steps=2, **extra)
    output = run_fleece("train", "--config", os.devnull, "--init-from", imported,
                        *[a for o in overrides for a in ("-o", o)]).output  # fmt: skip
    assert "init_from ignored: the run resumes its checkpoint" in output
    assert "resumed from" in output and "at step 1" in output
    assert read_trainer_state(resolve_checkpoint(run))["init_from"] == imported


def write_pytorch_bin(folder: Path, weights: dict[str, torch.Tensor], shards: int) -> None:
    """Weights as transformers' `save_pretrained(safe_serialization=False)` writes them: one
    pytorch_model.bin, or numbered shards named by pytorch_model.bin.index.json."""
    folder.mkdir()
    if shards == 1:
        torch.save(weights, folder / "pytorch_model.bin")
        return
    names = sorted(weights)
    weight_map = {}
    for shard in range(shards):
        file = f"pytorch_model-{shard + 1:05d}-of-{shards:05d}.bin"
        part = {name: weights[name] for name in names[shard::shards]}
        torch.save(part, folder / file)
        weight_map.update(dict.fromkeys(part, file))
    total = sum(t.numel() * t.element_size() for t in weights.values())
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (folder / "pytorch_model.bin.index.json").write_text(json.dumps(index))


@pytest.mark.parametrize("shards", [1, 3])
def test_a_pytorch_bin_folder_imports(
    shards: int, exports: dict[str, Path], run_dir: str, tmp_path: Path
) -> None:
    folder = tmp_path / "bin"
    write_pytorch_bin(folder, load_file(exports["single"] / "model.safetensors"), shards)
    shutil.copy(exports["single"] / "config.json", folder)
    out = tmp_path / "checkpoint"
    result = run_fleece("import", "hf", str(folder), str(out))
    assert "no tokenizer.model" in result.output  # a warning: the folder has none
    original = read_model_weights(resolve_checkpoint(run_dir))
    back = read_model_weights(str(out))
    assert sorted(back) == sorted(original)
    assert all(torch.equal(back[name], tensor) for name, tensor in original.items())


REFUSALS = {
    "num_key_value_heads": 2,
    "tie_word_embeddings": True,
    "rope_scaling": {"rope_type": "linear", "factor": 2.0},
    "attention_bias": True,
    "mlp_bias": True,
    "hidden_act": "gelu",
    "model_type": "mistral",
}


@pytest.mark.parametrize("field", sorted(REFUSALS))
def test_import_refuses_what_fleeces_model_lacks_naming_the_field(
    field: str, exports: dict[str, Path], tmp_path: Path
) -> None:
    config = json.loads((exports["single"] / "config.json").read_text())
    config[field] = REFUSALS[field]
    (tmp_path / "config.json").write_text(json.dumps(config))
    result = run_fleece("import", "hf", str(tmp_path), str(tmp_path / "out"), expect_ok=False)
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line and line.startswith(f"Error: {tmp_path}/config.json: {field} is ")
    assert not (tmp_path / "out").exists()


def test_import_names_a_missing_weight(exports: dict[str, Path], tmp_path: Path) -> None:
    shutil.copy(exports["single"] / "config.json", tmp_path)
    weights = load_file(exports["single"] / "model.safetensors")
    del weights["lm_head.weight"]
    torch.save(weights, tmp_path / "pytorch_model.bin")
    result = run_fleece("import", "hf", str(tmp_path), str(tmp_path / "out"), expect_ok=False)
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: {tmp_path}: Hugging Face state dict lacks 'lm_head.weight'"
    )
