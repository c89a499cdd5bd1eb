#!/usr/bin/env bash
# Regenerates the README's charts (docs/img/): endgame and fight-and-talk side by side, in
# English and Chinese. Usage: scripts/readme-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
mkdir -p docs/img
for s in endgame fight_and_talk; do
  ./target/release/truce run "scenarios/$s.toml" --size 1200x750 --out "output/readme/$s" >/dev/null
  for c in outcomes ceasefire territory terms; do
    cp "output/readme/$s/charts/$c.png" "docs/img/${s}_$c.png"
  done
  ./target/release/truce plot "output/readme/$s" --lang zh --size 1200x750 >/dev/null
  cp "output/readme/$s/charts/outcomes.png" "docs/img/${s}_outcomes_zh.png"
done
# The rolling backtest of the shipped trend (docs/calibration.md).
./target/release/truce backtest scenarios/validation/backtest_2024-05.toml --observed data/territory_monthly.csv \
  --rolling --trend local-level --size 1200x750 --out output/readme/rolling >/dev/null
cp output/readme/rolling/charts/rolling_crps.png docs/img/rolling_crps.png
echo "docs/img/ regenerated"
