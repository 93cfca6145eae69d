"""CPU seconds (user + sys of a fresh child process) from its start to its first printed answer on the seed index,
for each backend, with the heavy modules the answer path imported. The index (and for ONNX, the exported models)
are made first, so the child only imports, loads and answers. Then, once, the ONNX first use on a machine: the
same child with an empty model cache ($QA_CACHE_DIR), so it exports and quantises the three graphs first."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import os, sys
from qa import QA
from qa.config import Settings
a = QA({corpus!r}, {index!r}, Settings(backend={backend!r})).answer({question!r})
print(a.answer or a.sentence, flush=True)
t = os.times()
heavy = [m for m in ("torch", "gradio", "matplotlib", "scipy", "transformers", "sentence_transformers") if m in sys.modules]
print("COLDSTART", t.user + t.system, ",".join(heavy) or "-", flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--question", default="Where is the new NATO command for Ukraine?")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from qa.config import Backend, Settings
    from qa.engine import QA

    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    print(f"machine: {platform.machine()} cores={os.cpu_count()}; {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in Backend:
            index = Path(tmp) / backend.value
            QA(ROOT / "seeds", index, Settings(backend=backend)).answer(args.question)  # build + export first
            code = CHILD.format(corpus=str(ROOT / "seeds"), index=str(index), backend=backend.value,
                                question=args.question)
            seconds, heavy, first = [], "", ""
            for _ in range(args.repeat):
                out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                     check=True).stdout.splitlines()
                first = out[0]
                _, cpu, heavy = next(line for line in out if line.startswith("COLDSTART")).split(" ", 2)
                seconds.append(float(cpu))
            print(f"{backend.value}: first answer {first!r}; CPU s to it: min {min(seconds):.2f}, "
                  f"all {json.dumps([round(s, 2) for s in seconds])}; heavy modules imported: {heavy}")
        from qa.onnx_backend import CACHE_ENV

        code = CHILD.format(corpus=str(ROOT / "seeds"), index=str(Path(tmp) / Backend.ONNX.value),
                            backend=Backend.ONNX.value, question=args.question)
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env=dict(env, **{CACHE_ENV: str(Path(tmp) / "empty-cache")})).stdout.splitlines()
        cpu = next(line for line in out if line.startswith("COLDSTART")).split(" ", 2)[1]
        print(f"onnx, first use on a machine (empty model cache: export + int8 quantisation of three graphs): "
              f"{time.perf_counter() - started:.1f} s wall, {float(cpu):.1f} CPU s to the first answer")


if __name__ == "__main__":
    main()
