#!/usr/bin/env bash
# Install the Debian packages Tandem needs when they are missing (as root, with apt-get).
#   base: what `make run` needs (Python's venv module, Node.js's npm for front-end files).
#   test: adds the MySQL/MariaDB client headers that mysqlclient compiles against, and
#         Chromium with fonts for the browser tests (tests/e2e; Playwright drives it).
set -euo pipefail
what=${1:-base}
python=${PYTHON:-$(command -v python3.11 || command -v python3)}
packages=()
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
  packages+=("python3-venv")
fi
if ! command -v npm >/dev/null; then
  packages+=("npm")
fi
if [ "$what" = test ]; then
  if ! pkg-config --exists mysqlclient 2>/dev/null && ! pkg-config --exists libmariadb 2>/dev/null; then
    packages+=("default-libmysqlclient-dev" "pkg-config" "build-essential")
  fi
  # Debian's Chromium (Playwright cannot download its own browser here), unless
  # TANDEM_CHROMIUM names another one; and fonts, so that pages render as people see them.
  if [ ! -x /usr/bin/chromium ] && [ ! -x "${TANDEM_CHROMIUM:-/usr/bin/chromium}" ]; then
    packages+=("chromium")
  fi
  if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    packages+=("fonts-dejavu-core")
  fi
  if [ ! -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ]; then
    packages+=("fonts-liberation")
  fi
fi
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Tandem needs these system packages: ${packages[*]}. Install them, then run make again." >&2
  exit 1
fi
echo "Installing system packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${packages[@]}" >/dev/null
