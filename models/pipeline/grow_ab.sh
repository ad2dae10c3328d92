#!/usr/bin/env bash
# Compressor / chunk-sampling / sequence-length A/B (session 10): five equal-token branches of the CAT v2 constant line (86.4 M tokens),
# 400 steps (3,276,800 tokens) each on runs/data3 from block 0, then held-out bits/byte of each at every C.
set -x
cd "$(git rev-parse --show-toplevel)"
# the parent: the constant line at 86.4 M tokens (models/checkpoints/cat-v2-const.pt until commit 4638608; that file is now the 89.7 M tip)
[ -f runs/cat-v2-const-86m.pt ] || git show 4638608:models/checkpoints/cat-v2-const.pt > runs/cat-v2-const-86m.pt
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
T=$((86392832 + 3276800))
for arm in "ctl|" "s2048|--seq 2048" "w42111|--chunk-weights 4,2,1,1,1" "dc64|--grow comp_dim=64" "tf2|--grow comp_layers=2"; do
  name=${arm%%|*}; extra=${arm#*|}
  /usr/bin/python3 -m models.pipeline.train --kind cat --muon --data runs/data3 --out runs/ab-$name \
    --init-from runs/cat-v2-const-86m.pt --tokens $T --minutes 25 $extra > runs/ab-$name.log 2>&1
done
/usr/bin/python3 -m models.pipeline.compare --windows 64 --threads 2 --out models/eval/grow-ab.json \
  ctl=runs/ab-ctl/ckpt.pt w42111=runs/ab-w42111/ckpt.pt dc64=runs/ab-dc64/ckpt.pt tf2=runs/ab-tf2/ckpt.pt s2048=runs/ab-s2048/ckpt.pt > runs/grow-ab-compare.log 2>&1
echo GROW_AB_DONE >> runs/grow-ab-compare.log
