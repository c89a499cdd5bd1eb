#!/usr/bin/env bash
# Remakes assets/fonts/truce-cjk.ttf, the subset of WenQuanYi Micro Hei that truce compiles in,
# so Chinese charts look the same on every machine (docs/charts.md).
#
#   scripts/font-subset.sh
#
# The subset holds printable ASCII, Latin-1, the punctuation, arrows and maths signs charts use,
# and every CJK character in a string of src/charts/ or in a `title`, `name`, `name_zh`, `label0_zh` or `label1_zh` line of a shipped
# scenario. Run it after adding a Chinese label; the test `charts::the_embedded_font_covers_
# every_chinese_label` fails until you do. Needs the font (Debian: fonts-wqy-microhei, installed
# here when run as root) and fontTools (installed in a venv under target/).
set -euo pipefail
cd "$(dirname "$0")/.."

FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
if [ ! -f "$FONT" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei
  else
    echo "font-subset.sh: $FONT is missing; install fonts-wqy-microhei (Debian/Ubuntu) and run again" >&2
    exit 1
  fi
fi
VENV=target/fonttools-venv
FONTTOOLS=4.55.3
if [ ! -x "$VENV/bin/pyftsubset" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "fonttools==$FONTTOOLS"
fi

chars=target/truce-cjk-chars.txt
python3 - "$chars" <<'PY'
import glob, re, sys
cjk = lambda c: '\u2e80' <= c <= '\u9fff' or '\u3000' <= c <= '\u303f' or '\uff00' <= c <= '\uffef'
found = set()
for path in sorted(glob.glob('src/charts/*.rs')):
    code = open(path, encoding='utf-8').read().split('#[cfg(test)]')[0]  # not the tests' strings
    for literal in re.findall(r'"((?:[^"\\]|\\.)*)"', code):
        found.update(c for c in literal if cjk(c))
for path in sorted(glob.glob('scenarios/**/*.toml', recursive=True) + glob.glob('examples/*.toml')):
    for line in open(path, encoding='utf-8'):
        if re.match(r'\s*(title|name|name_zh|label0_zh|label1_zh)\s*=', line):
            found.update(c for c in line.split('#')[0] if cjk(c))
open(sys.argv[1], 'w', encoding='utf-8').write(''.join(sorted(found)) + '\n')
print(f'font-subset.sh: {len(found)} CJK characters')
PY

"$VENV/bin/pyftsubset" "$FONT" --font-number=0 \
  --unicodes="U+0020-007E,U+00A0-00FF,U+2010-2027,U+2030-205E,U+2190-21FF,U+2212,U+2264-2265,U+00D7" \
  --text-file="$chars" --layout-features='*' --no-hinting --desubroutinize \
  --name-IDs='*' --name-legacy --output-file=assets/fonts/truce-cjk.ttf
cp "$chars" assets/fonts/truce-cjk-chars.txt
ls -l assets/fonts/truce-cjk.ttf
