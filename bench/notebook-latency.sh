#!/usr/bin/env bash
# A notebook's load + first classification in the real kernel (dotnet-repl), run RUNS times (default 5), each in a
# fresh kernel. Prints each run's seconds and the medians. A benchmark, not a test: run it on a quiet machine.
# Usage (from anywhere in the repository): bench/notebook-latency.sh [RUNS]
#   CLIP_MODEL=RN50|path.pt|path.safetensors (default RN50), CLIP_IMAGE=an image (default a reference face).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
dotnet build src/ClipSharp.Notebooks -c Release -v q -nologo > /dev/null
dotnet tool restore > /dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in $(seq "$runs"); do
  dotnet repl --run bench/first-classification.ipynb --exit-after-run --output-path "$out/run.ipynb" > "$out/log" 2>&1 \
    || { tail -20 "$out/log"; exit 1; }
  grep -o 'LATENCY load_s=[0-9][^"\\]*' "$out/run.ipynb" | tee -a "$out/lines"
done
python3 - "$out/lines" <<'PY'
import sys, statistics as st
rows = [dict(kv.split("=") for kv in line.split()[1:]) for line in open(sys.argv[1])]
print(" ".join(f"median_{k}={st.median(float(r[k]) for r in rows):.3f}" for k in rows[0]))
PY
