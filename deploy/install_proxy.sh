#!/bin/sh
# Install configurable-http-proxy (JupyterHub's proxy, published only on npm) into
# deploy/node_modules, where deploy/jupyterhub_config.py and the hub tests look for it.
# Idempotent: does nothing when the pinned version is already there.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=5.3.0
bin="$here/node_modules/.bin/configurable-http-proxy"
if [ -x "$bin" ] && grep -q "\"version\": \"$version\"" \
    "$here/node_modules/configurable-http-proxy/package.json" 2>/dev/null; then
    exit 0
fi
command -v npm >/dev/null 2>&1 || {
    echo "install_proxy.sh: npm not found; install Node.js >= 20 (e.g. apt-get install nodejs npm)" >&2
    exit 1
}
npm install --prefix "$here" --no-save --no-audit --no-fund --loglevel=error \
    "configurable-http-proxy@$version"
echo "configurable-http-proxy $version installed in $here/node_modules"
