#!/usr/bin/env bash
# The whole BLAZER loop on the tiny offline model, as the README shows it: generate verified data for
# reach_target with the scripted teacher, snapshot it, train a LoRA with the built-in trainer, and
# evaluate the teacher, the base student and the fine-tuned student on evaluation seeds. Writes its
# files under $LOOP (default ./tiny-loop) and the loss curve to $LOOP/loss.svg.
# Usage: bash scripts/tiny-loop.sh [minutes of training, default 20] [evaluation scenes, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-20}
SCENES=${2:-20}
LOOP=${LOOP:-$PWD/tiny-loop}
export BLAZER_LAB_HOME="$LOOP/home"
lab() { node bin/lab.js "$@"; }
mkdir -p "$LOOP"
DB="$LOOP/lab.sqlite"

lab dev tiny-model "$LOOP/tiny.gguf" >/dev/null
lab models add "$LOOP/tiny.gguf" --name tiny
time lab generate --db "$DB" --tasks reach_target --teacher scripted --scenes 300 --workers 2
lab train set --db "$DB" --name reach --tasks reach_target
time lab train --db "$DB" --set reach --base tiny --name reach-lora --epochs 100 --lr 0.005 --max-minutes "$MINUTES"
time lab eval --db "$DB" --model scripted --tasks reach_target,put_block_in_side_bin --scenes "$SCENES"
time lab eval --db "$DB" --model tiny --tasks reach_target,put_block_in_side_bin --scenes "$SCENES" --threads 1
time lab eval --db "$DB" --model tiny --adapter reach-lora --tasks reach_target,put_block_in_side_bin --scenes "$SCENES" --threads 1
lab eval compare --db "$DB" 2 3 4
npx tsx scripts/loss-curve.ts --db "$DB" --job 1 --out "$LOOP/loss.svg" \
  --title "tiny student, reach_target: ${MINUTES} min of training"
