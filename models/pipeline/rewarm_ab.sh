#!/usr/bin/env bash
# Re-warmup A/B (session 11): two equal-token branches of the CAT v2 constant line (cat-v2-const.pt, 89.67 M tokens,
# weights only, so each starts with a fresh optimizer state), 300 steps (2,457,600 tokens) each on runs/data4c from
# block 0 with the line's chunk weights: the rate at once at 3e-3 (ctl) or ramped up over 100 steps (rw100).
# Then held-out bits/byte of the parent and both branches at every C.
set -x
cd "$(git rev-parse --show-toplevel)"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
T=$((89669632 + 2457600))
for arm in "ctl|" "rw100|--rewarm 100"; do
  name=${arm%%|*}; extra=${arm#*|}
  /usr/bin/python3 -m models.pipeline.train --kind cat --muon --data runs/data4c --out runs/rw-$name \
    --init-from models/checkpoints/cat-v2-const.pt --chunk-weights 4,2,1,1,1 --tokens $T --minutes 25 $extra > runs/rw-$name.log 2>&1
done
/usr/bin/python3 -m models.pipeline.compare --windows 64 --threads 2 --out models/eval/rewarm-ab.json \
  parent=models/checkpoints/cat-v2-const.pt ctl=runs/rw-ctl/ckpt.pt rw100=runs/rw-rw100/ckpt.pt > runs/rewarm-ab-compare.log 2>&1
echo REWARM_AB_DONE >> runs/rewarm-ab-compare.log
