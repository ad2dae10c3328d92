#!/usr/bin/env bash
# One prepared GPU run (issue 12): ~10 minutes of CAT v2 training on one CUDA device in bf16, then a
# 1-sqrt cooldown branch, with everything written to OUT_DIR (logs, both checkpoints, config).
#
#   bash models/pipeline/gpu_run.sh OUT_DIR [--dry-run]
#
# Data travels with the checkout as xz-compressed token files (made here by
# `bash models/pipeline/gpu_run.sh --pack DATA_DIR`, under 60 MiB): runs/gpu-data/{train,val}.bin.xz
# and tokenizer.json. --dry-run runs the same steps on the CPU for a few thousand tokens (tested
# before a device is at hand). With runs/gpu-data/init.pt (a constant-rate checkpoint) the run
# resumes from it instead of starting from scratch.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PKG=runs/gpu-data

if [[ "${1:-}" == "--pack" ]]; then
  src=${2:?usage: gpu_run.sh --pack DATA_DIR}
  mkdir -p "$PKG"
  cp "$src/tokenizer.json" "$PKG/"
  for f in train val; do xz -T2 -6 -c "$src/$f.bin" > "$PKG/$f.bin.xz"; done
  du -ch "$PKG"/* | tail -1
  exit 0
fi

OUT=${1:?usage: gpu_run.sh OUT_DIR [--dry-run]}
DRY=${2:-}
mkdir -p "$OUT"
WORK=$(mktemp -d)
for f in train val; do xz -dc "$PKG/$f.bin.xz" > "$WORK/$f.bin"; done
cp "$PKG/tokenizer.json" "$WORK/"
if [[ -f "$PKG/init.pt" ]]; then mkdir -p "$OUT/const" && cp "$PKG/init.pt" "$OUT/const/ckpt.pt"; fi
PY=${PYTHON:-python3}
if [[ "$DRY" == "--dry-run" ]]; then
  DEV=(--device cpu --batch-tokens 1024 --seq 256 --long-seq 512); MAIN_MIN=0.5; MAIN_TOK=12e3; COOL_TOK=4096
else
  DEV=(--device cuda --batch-tokens 131072); MAIN_MIN=9; MAIN_TOK=2e9; COOL_TOK=60e6
fi
{
  echo "host: $(hostname)  $(date -u +%FT%TZ)"
  $PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
  # constant-rate run (the checkpoint later CPU or GPU runs resume from), stopped by the clock
  $PY -m models.pipeline.train --kind cat --preset cat-v2 --muon --data "$WORK" --out "$OUT/const" \
      --tokens "$MAIN_TOK" --minutes "$MAIN_MIN" --eval-every 200 --eval-windows 64 --ckpt-minutes 2 "${DEV[@]}"
  # the branch that ships: 1-sqrt cooldown, its last 30% at 4,096 tokens a sequence
  $PY -m models.pipeline.train --kind cat --muon --data "$WORK" --out "$OUT/cooled" --cooldown-from "$OUT/const" \
      --cooldown-tokens "$COOL_TOK" --long-from 0.7 --minutes 3 --eval-every 200 --eval-windows 64 "${DEV[@]}"
} 2>&1 | tee "$OUT/run.log"
rm -rf "$WORK"
