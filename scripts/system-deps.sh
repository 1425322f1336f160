#!/usr/bin/env bash
# Install the Debian packages Tandem needs when they are missing (as root, with apt-get).
#   base: what `make run` needs (Python's venv module).
#   test: adds the MySQL/MariaDB client headers that mysqlclient compiles against.
set -euo pipefail
what=${1:-base}
python=${PYTHON:-$(command -v python3.11 || command -v python3)}
packages=()
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
  packages+=("python3-venv")
fi
if [ "$what" = test ]; then
  if ! pkg-config --exists mysqlclient 2>/dev/null && ! pkg-config --exists libmariadb 2>/dev/null; then
    packages+=("default-libmysqlclient-dev" "pkg-config" "build-essential")
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
