#!/usr/bin/env bash
# Regenerates the README's images (docs/img/): endgame and fight-and-talk side by side, in
# English and Chinese, the analysis charts, the rolling backtest, and screenshots of the report
# page and the explorer (these need chromium and chromium-driver; scripts/test.sh installs them).
#
#   scripts/readme-images.sh
#
# TRUCE (a truce binary; default: built here) and IMG (where the images go; default docs/img)
# let the test `readme_images` draw them into a temporary folder and compare them, byte for
# byte, with docs/img: the images are what any machine draws (the fonts are compiled in).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TRUCE:-}" ]; then
  cargo build --release -q
  TRUCE=./target/release/truce
fi
IMG=${IMG:-docs/img}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$IMG"
size=(--size 1200x750)
for s in endgame fight_and_talk; do
  "$TRUCE" run "scenarios/$s.toml" "${size[@]}" --out "$WORK/$s" >/dev/null
  for c in outcomes ceasefire territory terms; do
    cp "$WORK/$s/charts/$c.png" "$IMG/${s}_$c.png"
  done
  "$TRUCE" plot "$WORK/$s" --lang zh "${size[@]}" >/dev/null
  cp "$WORK/$s/charts/outcomes_zh.png" "$IMG/${s}_outcomes_zh.png"
done
# The analysis charts of the README's examples.
"$TRUCE" sweep scenarios/endgame.toml --vary actors.us.pressure=0..0.1:6 "${size[@]}" --out "$WORK/sweep1" >/dev/null
cp "$WORK/sweep1/charts/sweep_outcomes.png" "$IMG/analysis_sweep_outcomes.png"
"$TRUCE" sweep scenarios/endgame.toml --vary actors.us.pressure=0..0.1:6 --vary negotiation.talks_rate=0.2..0.8:4 \
  --metric settlement "${size[@]}" --out "$WORK/sweep2" >/dev/null
cp "$WORK/sweep2/charts/sweep_heatmap.png" "$IMG/analysis_sweep_heatmap.png"
"$TRUCE" sensitivity scenarios/endgame.toml --metric settlement "${size[@]}" --out "$WORK/tornado" >/dev/null
cp "$WORK/tornado/charts/tornado.png" "$IMG/analysis_tornado.png"
# The rolling backtest of the shipped trend (docs/calibration.md).
"$TRUCE" backtest scenarios/validation/backtest_2024-05.toml --observed data/territory_monthly.csv \
  --rolling --trend local-level "${size[@]}" --out "$WORK/rolling" >/dev/null
cp "$WORK/rolling/charts/rolling_crps.png" "$IMG/rolling_crps.png"
# Screenshots of the report page and the explorer (screen_*.png), taken by the browser test's
# script in headless Chromium. They hold a measured time and the browser's own text rendering,
# so they are not compared byte for byte; SCREENS=0 leaves them out (the images test does).
if [ "${SCREENS:-1}" != 0 ]; then
  py=${TRUCE_BROWSER_PYTHON:-}
  if [ -z "$py" ]; then
    py="$WORK/bvenv/bin/python"
    python3 -m venv "$WORK/bvenv" && "$WORK/bvenv/bin/pip" install -q --disable-pip-version-check -r tests/browser/requirements.txt
  fi
  "$py" tests/browser/check_pages.py --truce "$TRUCE" --work "$WORK/browser" --screens "$IMG" >/dev/null
fi
echo "$IMG regenerated"
