#!/usr/bin/env bash
# Validates Envoy config files against Envoy's API (go-control-plane), with the project's
# pinned validator in tools/envoy-validate. Builds it once per source version into
#   ${MODEL_SERVICES_CACHE:-$HOME/.cache/model-services}/envoy-validate/<hash>/envoy-validate
# where <hash> covers go.mod, go.sum and the Go sources; later runs reuse that binary.
#
# Usage: scripts/envoy-validate.sh [-allow-deprecated] FILE|DIR...
#        scripts/envoy-validate.sh --build-only     (build or find the binary, print its path)
#        scripts/envoy-validate.sh --print-path     (print where the binary is or would be; no build)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/tools/envoy-validate"
cache_root="${MODEL_SERVICES_CACHE:-$HOME/.cache/model-services}/envoy-validate"

hash="$(cd "$src" && cat go.mod go.sum $(ls *.go | LC_ALL=C sort) | sha256sum | cut -c1-16)"
dir="$cache_root/$hash"
bin="$dir/envoy-validate"

if [ "${1:-}" = "--print-path" ]; then
    echo "$bin"
    exit 0
fi

if [ ! -x "$bin" ]; then
    command -v go >/dev/null || { echo "envoy-validate: needs Go (see tools/envoy-validate/go.mod for the version)" >&2; exit 2; }
    mkdir -p "$dir"
    # One build at a time per version; a waiting caller finds the binary when it gets the lock.
    exec 9>"$dir/.lock"
    if command -v flock >/dev/null; then flock 9; fi
    if [ ! -x "$bin" ]; then
        echo "envoy-validate: building $hash (first use on this machine)" >&2
        tmp="$dir/.envoy-validate.$$"
        (cd "$src" && CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local go build -trimpath -o "$tmp" .)
        mv -f "$tmp" "$bin"
    fi
fi

if [ "${1:-}" = "--build-only" ]; then
    echo "$bin"
    exit 0
fi
exec "$bin" "$@"
