#!/usr/bin/env bash
# One prepared GPU run (issue 12): a constant-rate CAT run on one CUDA device in bf16, then a 1-sqrt
# cooldown branch sized from the measured speed, with the results written to OUT_DIR: run.log, each
# run's log.jsonl and config, and both models as bf16 weights (const.pt, cooled.pt; save_weights) small
# enough to come back from a lent machine (its full checkpoints stay behind).
#
#   bash models/pipeline/gpu_run.sh OUT_DIR [--dry-run]
#
# Data travels with the checkout as xz-compressed token files (made here by
# `bash models/pipeline/gpu_run.sh --pack DATA_DIR`, under 60 MiB): runs/gpu-data/{train,val}.bin.xz
# and tokenizer.json. With runs/gpu-data/init.pt (weights, e.g. models/checkpoints/cat-v2-const.pt) the
# run starts from them (--init-from, --rewarm 100) instead of from scratch; WINDOW=64 reads them through
# the sliding-window decoder; MAX_PASSES caps the constant run's passes over the data. --dry-run runs the same steps on the CPU for a few thousand tokens (tested
# before a device is at hand). MAIN_MIN / COOL_SEC set the two runs' wall-clock budgets.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PKG=${GPU_DATA:-runs/gpu-data}   # GPU_DATA: another package (the dry run's small one)

if [[ "${1:-}" == "--pack" ]]; then
  src=${2:?usage: gpu_run.sh --pack DATA_DIR}
  mkdir -p "$PKG"
  cp "$src/tokenizer.json" "$PKG/"
  for f in train val; do xz -T2 -9 -c "$src/$f.bin" > "$PKG/$f.bin.xz"; done
  du -ch "$PKG"/* | tail -1
  exit 0
fi

OUT=${1:?usage: gpu_run.sh OUT_DIR [--dry-run]}
DRY=${2:-}
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for f in train val; do xz -T0 -dc "$PKG/$f.bin.xz" > "$WORK/$f.bin"; done
cp "$PKG/tokenizer.json" "$WORK/"
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1   # newer torch loads weights only by default; these checkpoints hold the run state too
START=(--preset cat-v2)
if [[ -f "$PKG/init.pt" ]]; then
  START=(--init-from "$PKG/init.pt" --rewarm 100)
  [[ "${WINDOW:-0}" != 0 ]] && START+=(--window "$WINDOW")
fi
if [[ "$DRY" == "--dry-run" ]]; then
  DEV=(--device cpu --batch-tokens 1024 --seq 256 --long-seq 512 --eval-windows 4)
  MAIN_MIN=${MAIN_MIN:-0.3}; MAIN_TOK=2e9; COOL_SEC=${COOL_SEC:-10}; EVAL=5
else
  DEV=(--device cuda --batch-tokens 131072 --eval-windows 64)
  MAIN_MIN=${MAIN_MIN:-4.5}; MAIN_TOK=2e9; COOL_SEC=${COOL_SEC:-120}; EVAL=100
fi
PASSES=(); [[ -n "${MAX_PASSES:-}" ]] && PASSES=(--max-passes "$MAX_PASSES")   # the constant run's cap on re-reading the data
COMMON=(--kind cat --muon --data "$WORK" --chunk-weights 4,2,1,1,1 --eval-every "$EVAL" --ckpt-minutes 2 "${DEV[@]}")
{
  echo "host: $(hostname)  $(date -u +%FT%TZ)"
  $PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
  # constant-rate run (the checkpoint later CPU or GPU runs resume from), stopped by the clock
  $PY -m models.pipeline.train "${COMMON[@]}" "${START[@]}" --out "$WORK/const" --tokens "$MAIN_TOK" --minutes "$MAIN_MIN" "${PASSES[@]}"
  keep() {   # a finished run's bf16 weights and logs into OUT (its full checkpoint is too large to come back)
    $PY -c "import sys; from models.pipeline.train import save_weights; from pathlib import Path; save_weights(Path(sys.argv[1]), Path(sys.argv[2]))" "$WORK/$1/ckpt.pt" "$OUT/$1.pt"
    mkdir -p "$OUT/$1" && cp "$WORK/$1/log.jsonl" "$WORK/$1/config.json" "$OUT/$1/"
  }
  keep const
  # the cooldown's length from the constant run's own speed (its last log line), so that the clock does not cut it
  COOL_TOK=$($PY -c "import json,sys; r=[json.loads(l) for l in open(sys.argv[1]) if 'tokPerSec' in l][-1]; print(int(r['tokPerSec'] * $COOL_SEC * 0.8))" "$WORK/const/log.jsonl")
  echo "cooldown: $COOL_TOK tokens (~${COOL_SEC} s at the constant run's speed)"
  # the branch that ships: 1-sqrt cooldown, its last 30% at 4,096 tokens a sequence
  $PY -m models.pipeline.train "${COMMON[@]}" --out "$WORK/cooled" --cooldown-from "$WORK/const" \
      --cooldown-tokens "$COOL_TOK" --long-from 0.7 --minutes "$(awk "BEGIN { print $COOL_SEC * 1.5 / 60 }")"
  keep cooled
  ls -l "$OUT" "$OUT"/*
} 2>&1 | tee "$OUT/run.log"
