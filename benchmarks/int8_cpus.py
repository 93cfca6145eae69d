"""How close the shipped int8 bi-encoder is to PyTorch fp32, and, with --emulate, to itself on another x86-64 CPU.

    python benchmarks/int8_cpus.py              # min/mean cosine, ONNX int8 vs PyTorch, on 300 news sentences
    python benchmarks/int8_cpus.py --emulate    # also the same graph under `qemu-x86_64 -cpu max` (AVX2, no
                                                # AVX-512/VNNI: the u8*s8 kernels CI's CPU runs); needs qemu-user,
                                                # about 1.5 s a sentence
Sentences: the news development set's .txt articles (../shared/eval/news/articles), split by qa.sentences.split_spans.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from qa.config import DEFAULT_MODEL as MODEL  # noqa: E402
from qa.encoder import Encoder  # noqa: E402
from qa.sentences import split_spans  # noqa: E402


def news_sentences(folder: Path, n: int, seed: int) -> list[str]:
    texts = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts += [text[a:b].replace("\n", " ") for a, b in split_spans(text) if 15 < b - a < 600]
    random.Random(seed).shuffle(texts)
    return texts[:n]


def cosines(a: np.ndarray, b: np.ndarray) -> str:
    c = (a * b).sum(1)
    return f"min {c.min():.4f} mean {c.mean():.5f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", default=str(ROOT.parent / "shared" / "eval" / "news" / "articles"))
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--emulate", action="store_true")
    ap.add_argument("--onnx-only", metavar="OUT", help=argparse.SUPPRESS)  # the emulated child's job
    args = ap.parse_args()
    texts = news_sentences(Path(args.articles), args.n, args.seed)
    onnx = Encoder(MODEL, backend="onnx").encode(texts)
    if args.onnx_only:
        np.save(args.onnx_only, onnx)
        return
    torch = Encoder(MODEL, backend="torch").encode(texts)
    print(f"{len(texts)} sentences; int8 ONNX (this CPU) vs PyTorch fp32: {cosines(onnx, torch)}")
    if args.emulate:
        qemu = shutil.which("qemu-x86_64")
        if qemu is None:
            sys.exit("--emulate needs qemu-x86_64 (apt-get install qemu-user)")
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "emulated.npy"
            subprocess.run([qemu, "-cpu", "max", sys.executable, __file__, "--articles", args.articles, "-n",
                            str(args.n), "--seed", str(args.seed), "--onnx-only", str(out)], check=True)
            emulated = np.load(out)
        print(f"int8 ONNX under qemu -cpu max vs PyTorch fp32: {cosines(emulated, torch)}")
        print(f"int8 ONNX, this CPU vs qemu -cpu max: {cosines(onnx, emulated)}")


if __name__ == "__main__":
    main()
