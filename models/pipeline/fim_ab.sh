#!/usr/bin/env bash
# FIM layout A/B (session 9; bash models/pipeline/fim_ab.sh, ~20 min): three equal-token branches of the CAT v2 constant line (86.4 M tokens)
# on corpus/train text, FIM share 0 / 0.9 psm / 0.9 spm; then the suffix gain of each on validation.
set -x
cd "$(git rev-parse --show-toplevel)"
# the parent: the constant line at 86.4 M tokens (models/checkpoints/cat-v2-const.pt until commit 4638608; that file is now the 89.7 M tip)
[ -f runs/cat-v2-const-86m.pt ] || git show 4638608:models/checkpoints/cat-v2-const.pt > runs/cat-v2-const-86m.pt
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
for arm in "plain 0 psm" "psm90 0.9 psm" "spm90 0.9 spm"; do
  set -- $arm
  /usr/bin/python3 -m models.pipeline.data --corpus corpus --out runs/fim-$1 --tokenizer models/cat-code-small/tokenizer.json \
    --train-mb 6 --pack --fim-rate $2 --fim-order $3 --val-from runs/data2 > runs/fim-$1-data.log 2>&1
  /usr/bin/python3 -m models.pipeline.train --kind cat --muon --data runs/fim-$1 --out runs/fim-$1-run \
    --init-from runs/cat-v2-const-86m.pt --tokens 87621632 --minutes 12 > runs/fim-$1-train.log 2>&1
  /usr/bin/python3 -m models.pipeline.fim_eval --ckpt runs/fim-$1-run/ckpt.pt --heldout corpus/val --cases 200 --threads 2 >> runs/fim-ab.jsonl 2>runs/fim-$1-eval.err
done
/usr/bin/python3 -m models.pipeline.fim_eval --ckpt runs/cat-v2-const-86m.pt --heldout corpus/val --cases 200 --threads 2 >> runs/fim-ab.jsonl 2>>runs/fim-base-eval.err
echo FIM_AB_DONE >> runs/fim-ab.jsonl
