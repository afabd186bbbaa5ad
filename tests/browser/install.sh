#!/usr/bin/env bash
# Installs what the browser tests need, where it is missing: Debian's chromium, chromium-driver and
# fonts-noto-cjk (apt), and selenium<4.52 (pip). No tool downloads a browser of its own.
set -euo pipefail

sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo="sudo"
fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing+=(fonts-noto-cjk)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "browser tests: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! python3 -c 'import selenium, sys; v = tuple(int(x) for x in selenium.__version__.split(".")[:2]); sys.exit(v >= (4, 52))' 2>/dev/null; then
  echo "browser tests: installing selenium<4.52" >&2
  python3 -m pip install -q 'selenium<4.52' 2>/dev/null ||
    python3 -m pip install -q --break-system-packages 'selenium<4.52'
fi
