#!/bin/bash
# Runs nginx's configure (from nginx-dev) with Debian's own flags so the module's signature
# matches the stock /usr/sbin/nginx ("--with-compat"), generating only the module list and the
# auto headers into OBJS_DIR. Usage: nginx-configure.sh NGINX_SRC MODULE_DIR OBJS_DIR
set -euo pipefail
nginx_src=$1
module_dir=$2
objs_dir=$3
# shellcheck disable=SC1091
. "$nginx_src/conf_flags"
cd "$nginx_src"
./configure "${NGX_CONF_FLAGS[@]}" --with-cc-opt=-fPIC \
  --add-dynamic-module="$module_dir" --builddir="$objs_dir" >"$objs_dir.log" 2>&1 || {
  cat "$objs_dir.log" >&2
  exit 1
}
