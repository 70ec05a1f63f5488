# Shared settings and helpers for edgechat's scripts. Sourced, not run.
# shellcheck shell=bash
EDGECHAT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EDGECHAT_BUILD="${EDGECHAT_BUILD:-$EDGECHAT_ROOT/build}"
EDGECHAT_VAR="${EDGECHAT_VAR:-$EDGECHAT_ROOT/var}"
# A relative EDGECHAT_BUILD or EDGECHAT_VAR means relative to where the command was typed: the
# scripts change directory, and nginx reads paths relative to its own prefix.
case "$EDGECHAT_BUILD" in /*) ;; *) EDGECHAT_BUILD="$PWD/$EDGECHAT_BUILD" ;; esac
case "$EDGECHAT_VAR" in /*) ;; *) EDGECHAT_VAR="$PWD/$EDGECHAT_VAR" ;; esac
EDGECHAT_PORT="${EDGECHAT_PORT:-8080}"
EDGECHAT_DEMO_PORT="${EDGECHAT_DEMO_PORT:-5000}"
EDGECHAT_PUBLIC_URL="${EDGECHAT_PUBLIC_URL:-http://127.0.0.1:$EDGECHAT_PORT}"
EDGECHAT_DEMO_URL="${EDGECHAT_DEMO_URL:-http://localhost:$EDGECHAT_DEMO_PORT}"
EDGECHAT_PUBLIC_URL="${EDGECHAT_PUBLIC_URL%/}"
EDGECHAT_DEMO_URL="${EDGECHAT_DEMO_URL%/}"

RUN_DIR="$EDGECHAT_VAR/run"
LOG_DIR="$EDGECHAT_VAR/log"

say() { printf '%s\n' "edgechat: $*"; }
die() { printf '%s\n' "edgechat: error: $*" >&2; exit 1; }

# pid_alive NAME: true when RUN_DIR/NAME.pid names a running process.
pid_alive() {
  local file="$RUN_DIR/$1.pid" pid
  [ -s "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # A killed process stays a zombie until its parent reaps it; it is not running.
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

# port_in_use PORT: true when something listens on 127.0.0.1:PORT (or on all addresses).
port_in_use() {
  ss -Hltn "( sport = :$1 )" 2>/dev/null | grep -q .
}

# wait_for DESCRIPTION SECONDS COMMAND...: retries COMMAND until it succeeds or time runs out.
wait_for() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.1
  done
}

# ensure_debian_packages PKG...: installs those of PKG that are not installed (apt-get, as root or
# through sudo); a quick no-op when all are there. Services are never started (edgechat runs its own).
ensure_debian_packages() {
  local missing=() pkg sudo=""
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  say "installing Debian packages: ${missing[*]}"
  [ "$(id -u)" = 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "Debian packages installed"
}
