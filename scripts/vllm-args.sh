#!/usr/bin/env bash
# Parses `vllm serve` command lines with the pinned vLLM's own argument parser
# (tools/vllm-args/check.py). Installs once per pin into
#   ${MODEL_SERVICES_CACHE:-$HOME/.cache/model-services}/vllm-args/<hash>/{venv,src}
# where <hash> covers tools/vllm-args/{requirements.txt,vllm-source.txt}: a venv with the few
# pure-Python libraries the parser runs on, and only the Python files of the hash-checked vLLM
# and vLLM-Omni wheels (the ~300 MB vLLM wheel is deleted once extracted).
#
# Usage: scripts/vllm-args.sh < commands.json   (a JSON array of argument lists; see check.py)
#        scripts/vllm-args.sh --install          (install if missing, print the directory)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="$root/tools/vllm-args"
hash="$(cat "$tool/requirements.txt" "$tool/vllm-source.txt" | sha256sum | cut -c1-16)"
dir="${MODEL_SERVICES_CACHE:-$HOME/.cache/model-services}/vllm-args/$hash"

if [ ! -f "$dir/.complete" ]; then
    command -v python3 >/dev/null || { echo "vllm-args: needs python3 with venv" >&2; exit 2; }
    mkdir -p "$dir"
    # One install at a time per pin; a waiting caller finds it done when it gets the lock.
    exec 9>"$dir/.lock"
    if command -v flock >/dev/null; then flock 9; fi
    if [ ! -f "$dir/.complete" ]; then
        echo "vllm-args: installing $hash (first use on this machine)" >&2
        rm -rf "$dir/venv" "$dir/src" "$dir/wheels"
        python3 -m venv "$dir/venv"
        pip=("$dir/venv/bin/pip" --disable-pip-version-check --quiet)
        "${pip[@]}" install --no-deps -r "$tool/requirements.txt"
        # The same x86_64 wheel on every host, so its hash holds: only its Python files are used.
        "${pip[@]}" download --no-deps --require-hashes --only-binary=:all: --platform manylinux_2_28_x86_64 \
            -r "$tool/vllm-source.txt" -d "$dir/wheels"
        "$dir/venv/bin/python" - "$dir/wheels" "$dir/src" <<'PY'
import pathlib, sys, zipfile
wheels, src = pathlib.Path(sys.argv[1]), sys.argv[2]
for wheel in sorted(wheels.glob("*.whl")):
    with zipfile.ZipFile(wheel) as z:
        z.extractall(src, [n for n in z.namelist() if n.endswith(".py") and n.split("/")[0] in ("vllm", "vllm_omni")])
PY
        rm -rf "$dir/wheels"
        touch "$dir/.complete"
    fi
fi

if [ "${1:-}" = "--install" ]; then
    echo "$dir"
    exit 0
fi
exec "$dir/venv/bin/python" "$tool/check.py" "$dir/src"
