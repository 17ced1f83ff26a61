#!/usr/bin/env bash
# `model-services <command>` with the local stack's environment (the pinned pulumi and kubectl,
# the file backend and passphrase): what `npm run status|chat|keys|usage -- …` runs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
ensure_toolchain
pulumi_env
cd "$PROJECT_ROOT"
exec node "$PROJECT_ROOT/cli/model-services.cjs" "$@"
