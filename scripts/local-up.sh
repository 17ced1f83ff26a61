#!/usr/bin/env bash
# The main job: installs what is missing, builds the pinned toolchain once per machine,
# starts the simulated GPU cluster, deploys the `local` stack with `pulumi up` against a
# file backend inside the project, and prints the live status table (`model-services status`;
# its exit code is this script's: non-zero when a service that should run does not). Idempotent.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_node_modules
ensure_toolchain
pulumi_env

"$PROJECT_ROOT/scripts/cluster.sh" up model-services-local "$PROJECT_ROOT/.cluster/kubeconfig"

cd "$PROJECT_ROOT"
pulumi stack select local --create >/dev/null
up() {
    pulumi up --stack local --yes --skip-preview --suppress-progress "$@" >"$PROJECT_ROOT/.pulumi/last-up.log" 2>&1 || {
        cat "$PROJECT_ROOT/.pulumi/last-up.log" >&2
        log "pulumi up failed (log: .pulumi/last-up.log)"
        exit 1
    }
    tail -n 4 "$PROJECT_ROOT/.pulumi/last-up.log" >&2
}
up
# The rollout wait ends at the Deployment's minimum availability (0 of 1 with maxUnavailable 1),
# so give the pods their (simulated) start; the status table then reads them live, with the
# reason for any that are still not running.
namespace=$(pulumi config get namespace --stack local 2>/dev/null || echo model-services)
kubectl --kubeconfig "$PROJECT_ROOT/.cluster/kubeconfig" wait pods --all -n "$namespace" --for=condition=Ready --timeout=120s >/dev/null 2>&1 ||
    log "some pods are not ready yet; the table says why"
node "$PROJECT_ROOT/cli/model-services.cjs" status --stack local
