#!/usr/bin/env bash
# Renders the notebooks' charts to docs/images/*.png for the README: runs each notebook in the real kernel (as CI
# does, on CLIP_MODEL/CLIP_DATA/CLIP_LABELS, default the reference data), takes the chart outputs it displayed, and
# screenshots each with headless Chromium. Needs Debian's chromium and python3. Only a session's first chart carries
# plotly.js, so each later chart's page starts with that first chart, hidden.
set -euo pipefail
cd "$(dirname "$0")/.."
ref="${CLIP_REFERENCE_DIR:-$(cd .. && pwd)/shared/reference}"
export CLIP_MODEL="${CLIP_MODEL:-$ref/models/tiny-rn.pt}" CLIP_DATA="${CLIP_DATA:-$ref/images}"
export CLIP_LABELS="${CLIP_LABELS:-$ref/images/labels.csv}" CLIP_VOCAB="${CLIP_VOCAB:-$ref/bpe_simple_vocab_16e6.txt.gz}"
dotnet build src/ClipSharp.Notebooks -c Release -v q -nologo > /dev/null
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
for notebook in 03-similarity-matrix 04-glasses-evaluation 05-prompt-engineering 06-few-shot 07-retrieval-and-map; do
  (cd notebooks && dotnet repl --run "$notebook.ipynb" --exit-after-run --output-path "$work/$notebook.ipynb" > "$work/$notebook.log")
  python3 - "$work/$notebook.ipynb" "$work" "$notebook" <<'PY'
import json, sys
nb, out, name = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
charts = [''.join(o['data']['text/html']) for c in nb['cells'] if c['cell_type'] == 'code'
          for o in c['outputs'] if 'Plotly.newPlot(' in ''.join(o.get('data', {}).get('text/html', []))]
for i, html in enumerate(charts, 1):
    carrier = '' if i == 1 else f'<div style="display:none">{charts[0]}</div>'
    open(f"{out}/{name}-{i}.html", 'w').write(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">{carrier}{html}</body></html>')
PY
done
for page in "$work"/*.html; do
  png="docs/images/$(basename "${page%.html}").png"
  size=$(grep -o '"width":[0-9]*,"height":[0-9]*' "$page" | tail -1 | sed -E 's/"width":([0-9]*),"height":([0-9]*)/\1,\2/')
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --hide-scrollbars \
    --virtual-time-budget=5000 --window-size="${size:-700,450}" --screenshot="$PWD/$png" "file://$page" 2> /dev/null
  echo "$png"
done
