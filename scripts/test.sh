#!/usr/bin/env bash
# Runs truce's whole test suite on a fresh machine with Rust: installs what the tests need
# (a CJK font for the Chinese chart test; Python packages for the notebook test, in a venv under
# target/), then runs every test in release mode (the statistical tests are much faster so).
set -euo pipefail
cd "$(dirname "$0")/.."

# A font that covers Chinese, for the chart test that checks Chinese glyphs are drawn.
scripts/install-font.sh || echo "test.sh: warning: the Chinese chart test will fail" >&2

# Headless Chromium and its driver, for the browser tests of the report page and the explorer.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing chromium and chromium-driver (browser tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "test.sh: warning: chromium and chromium-driver are not installed and cannot be installed here; the browser test will fail" >&2
  fi
fi

# The browser tests' Python packages, in a venv keyed by their requirements file.
breq_hash=$(sha256sum tests/browser/requirements.txt | cut -c1-12)
bvenv="target/browservenv-$breq_hash"
if [ ! -x "$bvenv/bin/python" ]; then
  echo "test.sh: creating $bvenv for the browser tests"
  python3 -m venv "$bvenv"
  "$bvenv/bin/pip" install -q --disable-pip-version-check -r tests/browser/requirements.txt
fi
export TRUCE_BROWSER_PYTHON="$PWD/$bvenv/bin/python"

# The notebook's Python packages, in a venv keyed by the requirements file.
req_hash=$(sha256sum notebooks/requirements.txt | cut -c1-12)
venv="target/nbvenv-$req_hash"
if [ ! -x "$venv/bin/python" ]; then
  echo "test.sh: creating $venv for the notebook test"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r notebooks/requirements.txt
fi
export TRUCE_PYTHON="$PWD/$venv/bin/python"

cargo test --release "$@"
