#!/usr/bin/env bash
# Builds stable-diffusion.cpp's OpenAI-compatible image server (sd-server) from the pinned,
# hash-checked PyPI source distribution (tools/sd-server/sd-server-source.txt), once per pin, into
#   ${MODEL_SERVICES_CACHE:-$HOME/.cache/model-services}/sd-server/<hash>/bin/sd-server
# and prints that path. Only the server is compiled (with ggml's CPU backend): no Python binding,
# no web frontend (it would need pnpm and the network), no WebP/WebM.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pin="$root/tools/sd-server/sd-server-source.txt"
hash="$(sha256sum "$pin" | cut -c1-16)"
dir="${MODEL_SERVICES_CACHE:-$HOME/.cache/model-services}/sd-server/$hash"

if [ ! -x "$dir/bin/sd-server" ]; then
    command -v cmake >/dev/null && command -v c++ >/dev/null || { echo "sd-server: needs cmake and a C++ compiler" >&2; exit 2; }
    mkdir -p "$dir"
    # One build at a time per pin; a waiting caller finds it done when it gets the lock.
    exec 9>"$dir/.lock"
    if command -v flock >/dev/null; then flock 9; fi
    if [ ! -x "$dir/bin/sd-server" ]; then
        echo "sd-server: building $hash (first use on this machine; about 15 minutes on 2 cores)" >&2
        rm -rf "$dir/sdist" "$dir/src" "$dir/build"
        python3 -m pip download --disable-pip-version-check --quiet --no-deps --no-binary :all: --require-hashes \
            -r "$pin" -d "$dir/sdist"
        mkdir -p "$dir/src"
        tar -xzf "$dir"/sdist/*.tar.gz -C "$dir/src" --strip-components=1
        cmake -S "$dir/src/vendor/stable-diffusion.cpp" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release \
            -DSD_BUILD_EXAMPLES=ON -DSD_SERVER_BUILD_FRONTEND=OFF -DSD_WEBP=OFF -DSD_WEBM=OFF -DGGML_NATIVE=OFF >"$dir/build.log"
        cmake --build "$dir/build" --target sd-server -j "$(nproc)" >>"$dir/build.log"
        mkdir -p "$dir/bin"
        cp "$dir/build/bin/sd-server" "$dir/bin/sd-server.tmp" && mv "$dir/bin/sd-server.tmp" "$dir/bin/sd-server"
        rm -rf "$dir/sdist" "$dir/src" "$dir/build"
    fi
fi
echo "$dir/bin/sd-server"
