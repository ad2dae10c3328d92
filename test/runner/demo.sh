#!/usr/bin/env bash
# `npm run demo`: set up (first run only), then run the cat-lm CLI with the shipped CAT model on
# a real 39,429-line file: a summary (key passages picked from the compressed chunks) and a
# completion near its end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash test/runner/setup.sh
FILE=node_modules/typescript/lib/lib.dom.d.ts
echo
echo "== cat-lm summarize $FILE"
node dist/cli.js summarize "$FILE" --passages 3
echo
echo "== cat-lm complete $FILE --line 39000 --col 5"
sed -n 39000p "$FILE"
node dist/cli.js complete "$FILE" --line 39000 --col 5 --json
