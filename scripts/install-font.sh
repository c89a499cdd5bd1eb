#!/usr/bin/env bash
# Makes sure fonts-wqy-microhei (a font covering Chinese) is installed: the Chinese chart test
# among the library's unit tests needs it. Installs it with apt-get when run as root on Debian;
# otherwise says what to install and exits 1. Used by scripts/test.sh and scripts/mutants.sh.
set -euo pipefail
if ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "install-font.sh: installing fonts-wqy-microhei (Chinese chart labels)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null
  exit 0
fi
echo "install-font.sh: fonts-wqy-microhei is not installed and cannot be installed here (needs root and apt-get); install it, or the Chinese font test fails" >&2
exit 1
