#!/usr/bin/env bash
# Lifecycle timings (bench/lifecycle.ts) on a KWOK cluster of their own.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
ensure_toolchain
export E2E_KUBECONFIG="$PROJECT_ROOT/.cluster/bench/kubeconfig"
"$PROJECT_ROOT/scripts/cluster.sh" up model-services-bench "$E2E_KUBECONFIG"
trap '"$PROJECT_ROOT/scripts/cluster.sh" down model-services-bench "$E2E_KUBECONFIG" >&2 || true' EXIT
cd "$PROJECT_ROOT" && tsx bench/lifecycle.ts
