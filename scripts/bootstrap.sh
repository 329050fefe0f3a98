#!/usr/bin/env bash
# Set up everything Zhengping needs on a fresh Debian machine; safe to rerun.
#   scripts/bootstrap.sh          app dependencies
#   scripts/bootstrap.sh --test   also what the tests need (Chromium, PDF tools)
# As root, missing system packages are installed with apt-get; otherwise the
# exact command is printed and the script stops.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*"; }

# 1. Python 3.11 or newer.
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "Zhengping needs Python 3.11 or newer (found: $($PY --version 2>&1 || echo none))." >&2
  exit 1
fi

# 2. System packages: fonts and libraries for PDF (WeasyPrint), Chromium for
#    browser tests. libharfbuzz-subset0 matters: without it WeasyPrint falls
#    back to a subsetting path that takes ~10 s per CJK document.
pkgs=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fontconfig)
if [ $want_test = 1 ]; then
  pkgs+=(chromium poppler-utils postgresql-client)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# 3. The virtualenv, reinstalled only when pyproject.toml changed.
stamp=.venv/.zp-installed
sum=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  if ! "$PY" -m venv .venv 2>/dev/null; then
    # Debian's system Python keeps venv/ensurepip in a separate package.
    rm -rf .venv
    venv_pkg="python3-venv"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$venv_pkg" >/dev/null
      "$PY" -m venv .venv
    else
      echo "Cannot create a virtualenv. Install it with:  sudo apt-get install -y $venv_pkg" >&2
      exit 1
    fi
  fi
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  say "installing Python packages (pinned in pyproject.toml)"
  .venv/bin/python -m pip install -q --upgrade pip
  # constraints.txt pins every transitive dependency to the versions tested.
  .venv/bin/python -m pip install -q -c constraints.txt -e '.[test]'
  echo "$sum" > "$stamp"
fi

# 4. Translations: compile catalogs when a .po is newer than its .mo.
for po in translations/*/LC_MESSAGES/messages.po; do
  [ -f "$po" ] || continue
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
    .venv/bin/pybabel compile -i "$po" -o "$mo" >/dev/null
  fi
done
