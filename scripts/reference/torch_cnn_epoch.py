"""Time one training epoch of the two sentiment CNNs in PyTorch on the CPU.

The result is the "PyTorch epoch s" column of `npm run bench -- train`
(scripts/bench/train.ts), which reads var/bench/pytorch-reference.json.

The model has the same layers as src/training/engine/cnn.ts:
embedding -> dropout -> Conv1d + ReLU (one branch per kernel width) -> global max
pooling -> concatenation -> Linear + ReLU -> dropout -> Linear (sigmoid output,
trained with BCEWithLogitsLoss), Adam at 1e-3, batches of 32, one shuffled pass.

Shapes:
- en: the Keras IMDB example (vocabulary 5,000, embedding 50, 400 tokens, 250 filters
  of width 3, 250 hidden units, dropout 0.2) over 25,000 texts.
- ko: the shipped sentiment-ko CNN, read from the hyperParameters.cnn field of
  data/models/sentiment-ko/<CURRENT>/metadata.json, over 150,000 texts.

The token ids and labels are random, because the time of a step depends only on
the tensor shapes and not on the values. Every text is padded to the full token
length, as Keras pad_sequences does, and these times are the enEpochSeconds and
koEpochSeconds fields. The TypeScript benchmark instead groups texts of similar
length and cuts each batch to its longest text plus one padding window. With
--lengths FILE (written by scripts/reference/token_lengths.ts) the script also
times that batching on the real token counts and writes enTrimmedEpochSeconds and
koTrimmedEpochSeconds.

NOTE: Debian's python3-torch 1.13 runs the convolutions through oneDNN but the
Linear layers through the system libblas.so.3, which is the Netlib reference BLAS
unless an optimised one (OpenBLAS) is installed. A pip wheel with MKL may be faster.

Run with Debian's python3-torch (apt-get install -y python3-torch):

    /usr/bin/python3 scripts/reference/torch_cnn_epoch.py [--lang en|ko|both]
        [--threads 2] [--texts N] [--fraction F] [--lengths FILE] [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

import torch
from torch import nn

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = PROJECT_ROOT / "var" / "bench" / "pytorch-reference.json"
DEFAULT_MODELS_DIR = PROJECT_ROOT / "data" / "models"
BATCH_SIZE = 32
LEARNING_RATE = 1e-3
WARMUP_BATCHES = 3

ENGLISH_SHAPE = {
    "vocabularySize": 5_000,
    "embeddingDim": 50,
    "maxLength": 400,
    "kernelSizes": [3],
    "filters": 250,
    "hiddenUnits": 250,
    "embeddingDropout": 0.2,
    "hiddenDropout": 0.2,
}
TEXT_COUNTS = {"en": 25_000, "ko": 150_000}
# Number of shuffled texts sorted by length before they are cut into batches (fast-train.ts).
BUCKET_WINDOW = BATCH_SIZE * 50


class TextCnn(nn.Module):
    """1-D text CNN with one Conv1d branch per kernel width and a single logit output."""

    def __init__(self, shape: dict) -> None:
        super().__init__()
        filters = shape["filters"]
        # No padding_idx, because Keras trains the padding row like any other.
        self.embedding = nn.Embedding(shape["vocabularySize"], shape["embeddingDim"])
        self.embedding_dropout = nn.Dropout(shape["embeddingDropout"])
        self.convolutions = nn.ModuleList(
            nn.Conv1d(shape["embeddingDim"], filters, width) for width in shape["kernelSizes"]
        )
        self.hidden = nn.Linear(filters * len(shape["kernelSizes"]), shape["hiddenUnits"])
        self.hidden_dropout = nn.Dropout(shape["hiddenDropout"])
        self.output = nn.Linear(shape["hiddenUnits"], 1)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        # Conv1d wants [batch, channels, positions], so the embedding axis moves to the middle.
        embedded = self.embedding_dropout(self.embedding(tokens)).transpose(1, 2)
        pooled = [torch.relu(conv(embedded)).amax(dim=2) for conv in self.convolutions]
        hidden = self.hidden_dropout(torch.relu(self.hidden(torch.cat(pooled, dim=1))))
        return self.output(hidden).squeeze(1)


def read_shipped_korean_shape(models_dir: Path) -> dict:
    """Return hyperParameters.cnn of the sentiment-ko version that models_dir/CURRENT names."""
    folder = models_dir / "sentiment-ko"
    pointer = folder / "CURRENT"
    if not pointer.is_file():
        sys.exit(
            f"error: {pointer} is missing, so the shipped Korean CNN shape is unknown; "
            "pass --models-dir with the folder that contains sentiment-ko/CURRENT"
        )
    metadata_file = folder / pointer.read_text(encoding="utf-8").strip() / "metadata.json"
    if not metadata_file.is_file():
        sys.exit(f"error: {metadata_file}, the version that {pointer} names, is missing")
    metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
    shape = metadata.get("hyperParameters", {}).get("cnn")
    if not isinstance(shape, dict) or set(ENGLISH_SHAPE) - set(shape):
        sys.exit(
            f"error: {metadata_file} has no complete hyperParameters.cnn "
            f"(expected the keys {sorted(ENGLISH_SHAPE)}); check that the file is a sentiment-ko "
            "model version"
        )
    return {key: shape[key] for key in ENGLISH_SHAPE}


def padded_batches(texts: int, generator: torch.Generator, length: int) -> list:
    """Split a random permutation of the texts into (indices, length) batches of full length."""
    order = torch.randperm(texts, generator=generator)
    return [(indices, length) for indices in torch.split(order, BATCH_SIZE)]


def trimmed_batches(lengths: list, shape: dict, seed: int) -> list:
    """Batch the texts as the TypeScript trainer does and return (indices, length) pairs.

    Texts are shuffled, sorted by length within windows of BUCKET_WINDOW, cut into batches and
    the batches shuffled. A batch is as long as its longest text plus the widest kernel (at
    least the widest kernel, at most maxLength), as trimmedLength in src/training/engine/cnn.ts.
    """
    shuffler = random.Random(seed)
    order = list(range(len(lengths)))
    shuffler.shuffle(order)
    widest = max(shape["kernelSizes"])
    batches = []
    for start in range(0, len(order), BUCKET_WINDOW):
        window = sorted(order[start : start + BUCKET_WINDOW], key=lambda index: lengths[index])
        for offset in range(0, len(window), BATCH_SIZE):
            members = window[offset : offset + BATCH_SIZE]
            longest = max(lengths[index] for index in members)
            length = max(widest, min(shape["maxLength"], longest + widest))
            batches.append((torch.tensor(members), length))
    shuffler.shuffle(batches)
    return batches


def time_epoch(shape: dict, texts: int, fraction: float, seed: int, lengths=None) -> dict:
    """Train one pass over `texts` random sequences and return the timing record.

    Without `lengths` every batch has maxLength tokens. With `lengths` (one token count per
    text) the batches follow trimmed_batches. With fraction < 1 only that share of the batches
    is timed, and the epoch time is scaled up from it. WARMUP_BATCHES untimed steps run first
    so that one-time allocation and kernel selection stay out of the measurement.
    """
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    max_length = shape["maxLength"]
    tokens = torch.randint(0, shape["vocabularySize"], (texts, max_length), generator=generator)
    labels = torch.randint(0, 2, (texts,), generator=generator).float()

    model = TextCnn(shape)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_function = nn.BCEWithLogitsLoss()

    def train_step(indices: torch.Tensor, length: int) -> float:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_function(model(tokens[indices, :length]), labels[indices])
        loss.backward()
        optimizer.step()
        return loss.item()

    if lengths is None:
        batches = padded_batches(texts, generator, max_length)
    else:
        batches = trimmed_batches(lengths, shape, seed)
    for indices, length in batches[:WARMUP_BATCHES]:
        train_step(indices, length)

    batches_run = max(1, round(len(batches) * fraction))
    loss = float("nan")
    start = time.perf_counter()
    for indices, length in batches[:batches_run]:
        loss = train_step(indices, length)
    seconds = time.perf_counter() - start
    timed_lengths = [length for _, length in batches[:batches_run]]

    return {
        "texts": texts,
        "batches": len(batches),
        "batchesRun": batches_run,
        "epochSeconds": seconds * len(batches) / batches_run,
        "msPerBatch": seconds * 1000 / batches_run,
        "meanBatchLength": sum(timed_lengths) / batches_run,
        "finalLoss": loss,
        "shape": shape,
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def blas_library() -> str:
    """Return the BLAS shared library this process loaded, as /proc/self/maps lists it."""
    try:
        maps = Path("/proc/self/maps").read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    names = {line.split()[-1] for line in maps.splitlines() if "blas" in line.lower()}
    return ", ".join(sorted(os.path.realpath(name) for name in names)) or "none loaded"


def merged_result(output: Path, runs: dict, threads: int) -> dict:
    """Add this run's figures to the output file's contents.

    The existing file is kept (so a --lang run keeps the other language) only when it was
    written by the same torch version with the same thread count. Otherwise it is replaced.
    """
    result: dict = {}
    if output.is_file():
        previous = json.loads(output.read_text(encoding="utf-8"))
        same_setup = (
            previous.get("torchVersion") == torch.__version__ and previous.get("threads") == threads
        )
        if same_setup:
            result = previous
    result.update(
        {
            "torchVersion": torch.__version__,
            "threads": threads,
            "cpu": cpu_model(),
            "blas": blas_library(),
            "tokens": "random ids; only the batch shapes match the training data",
        }
    )
    result.setdefault("runs", {})
    for key, run in runs.items():
        now = datetime.datetime.now(datetime.timezone.utc)
        run["measuredAt"] = now.isoformat(timespec="seconds")
        result["runs"][key] = run
        result[f"{key}EpochSeconds"] = round(run["epochSeconds"], 2)
    return result


def read_lengths(file: Path, lang: str, shape: dict, texts: int) -> list:
    """Return the first `texts` token counts of `lang` from a token_lengths.ts output file."""
    entry = json.loads(file.read_text(encoding="utf-8")).get(lang)
    if entry is None:
        sys.exit(f"error: {file} has no '{lang}' lengths; rerun scripts/reference/token_lengths.ts")
    if entry["maxLength"] != shape["maxLength"]:
        sys.exit(
            f"error: {file} caps '{lang}' at {entry['maxLength']} tokens but the CNN takes "
            f"{shape['maxLength']}; rerun scripts/reference/token_lengths.ts"
        )
    if len(entry["lengths"]) < texts:
        sys.exit(
            f"error: {file} has {len(entry['lengths'])} '{lang}' lengths but {texts} texts were "
            "requested; pass a smaller --texts"
        )
    return entry["lengths"][:texts]


def report(key: str, run: dict) -> None:
    print(
        f"{key}: {run['texts']} texts, {run['batchesRun']}/{run['batches']} batches of "
        f"{BATCH_SIZE} timed, mean batch length {run['meanBatchLength']:.1f} tokens, "
        f"{run['msPerBatch']:.1f} ms/batch, epoch {run['epochSeconds']:.1f} s, "
        f"shape {json.dumps(run['shape'])}",
        flush=True,
    )


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=["en", "ko", "both"], default="both")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    parser.add_argument(
        "--texts",
        type=int,
        help="texts per epoch for every language (default 25,000 en and 150,000 ko)",
    )
    parser.add_argument(
        "--fraction",
        type=float,
        default=1.0,
        help="share of the batches to time, scaled up to a full epoch (default 1)",
    )
    parser.add_argument(
        "--lengths",
        type=Path,
        help="token_lengths.ts output; also time batches cut to these real token counts",
    )
    parser.add_argument("--models-dir", type=Path, default=DEFAULT_MODELS_DIR)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    if not 0 < arguments.fraction <= 1:
        parser.error(f"--fraction is {arguments.fraction}; expected a number in (0, 1]")
    if arguments.texts is not None and arguments.texts < 1:
        parser.error(f"--texts is {arguments.texts}; expected a positive count")
    return arguments


def main() -> None:
    arguments = parse_arguments()
    torch.set_num_threads(arguments.threads)
    languages = ["en", "ko"] if arguments.lang == "both" else [arguments.lang]
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {cpu_model()}, "
        f"BLAS {blas_library()}; random token ids (the time depends only on the shapes)"
    )

    runs = {}
    for lang in languages:
        shape = ENGLISH_SHAPE if lang == "en" else read_shipped_korean_shape(arguments.models_dir)
        texts = arguments.texts or TEXT_COUNTS[lang]
        runs[lang] = time_epoch(shape, texts, arguments.fraction, arguments.seed)
        report(lang, runs[lang])
        if arguments.lengths is not None:
            lengths = read_lengths(arguments.lengths, lang, shape, texts)
            key = f"{lang}Trimmed"
            runs[key] = time_epoch(shape, texts, arguments.fraction, arguments.seed, lengths)
            report(key, runs[key])

    result = merged_result(arguments.output, runs, arguments.threads)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {arguments.output}")


if __name__ == "__main__":
    main()
