#!/usr/bin/env bash
# End-to-end tier: starts a KWOK cluster of its own (simulated GPU nodes from the local
# stack's node groups), runs test/e2e with the real Pulumi engine, removes the cluster.
# Extra arguments go to vitest.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_node_modules
ensure_toolchain

export E2E_CLUSTER="${E2E_CLUSTER:-model-services-e2e}"
export E2E_KUBECONFIG="$PROJECT_ROOT/.cluster/e2e/kubeconfig"
# KWOK's opt-in failure stage too (only pods labelled for it fail): test/e2e/status.test.ts.
export KWOK_FAILURE_STAGES=1
"$PROJECT_ROOT/scripts/cluster.sh" up "$E2E_CLUSTER" "$E2E_KUBECONFIG"
trap '"$PROJECT_ROOT/scripts/cluster.sh" down "$E2E_CLUSTER" >&2 || true' EXIT

cd "$PROJECT_ROOT"
vitest run --config vitest.e2e.config.mts "$@"
