#!/usr/bin/env bash
# The simulated GPU cluster: a KWOK cluster (real kube-apiserver, etcd, controller-manager
# and scheduler from the pinned toolchain; simulated kubelets) bound to 127.0.0.1. It starts
# with no node at all: a stack with `cluster.simulated: true` creates the nodes its node
# groups would run on EKS (components/plan/eksNodes.ts), as EKS would, at their desired size.
#
#   scripts/cluster.sh up   [name] [kubeconfig]   create (or keep) the cluster
#   scripts/cluster.sh down [name] [kubeconfig]   stop and remove it
# State lives in .cluster/ inside the project (ignored by git).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

action="${1:?usage: cluster.sh up|down [name] [kubeconfig]}"
name="${2:-model-services-local}"
kubeconfig="${3:-$PROJECT_ROOT/.cluster/kubeconfig}"
[[ "$kubeconfig" = /* ]] || kubeconfig="$PROJECT_ROOT/$kubeconfig"

ensure_node_modules
eval "$("$PROJECT_ROOT/scripts/toolchain.sh" env)" || { log "toolchain not built: run scripts/toolchain.sh"; exit 1; }
. "$PROJECT_ROOT/toolchain/versions.env"

export KWOK_WORKDIR="$PROJECT_ROOT/.cluster/kwok"
mkdir -p "$KWOK_WORKDIR" "$(dirname "$kubeconfig")"

running() {
    [[ -f "$kubeconfig" ]] && kubectl --kubeconfig "$kubeconfig" --request-timeout=5s get --raw /readyz >/dev/null 2>&1
}

case "$action" in
up)
    start=$(date +%s)
    if running; then
        log "cluster $name already running"
    else
        # A cluster left behind by a killed session: remove it before creating anew.
        kwokctl delete cluster --name "$name" --kubeconfig "$kubeconfig" >/dev/null 2>&1 || true
        config="$KWOK_WORKDIR/kwokctl-$name.yaml"
        cat >"$config" <<YAML
kind: KwokctlConfiguration
apiVersion: config.kwok.x-k8s.io/v1alpha1
options:
  runtime: binary
  bindAddress: 127.0.0.1
  kubeVersion: v$KUBERNETES_VERSION
  etcdVersion: $ETCD_VERSION
YAML
        if [[ "${KWOK_FAILURE_STAGES:-}" == 1 ]]; then
            # KWOK uses its default stages only when the config names none, so name them all: the
            # defaults kwokctl would use, plus the opt-in failure stage (a pod labelled
            # pod-container-running-failed.stage.kwok.x-k8s.io=true turns Failed), all from the
            # pinned kwok module's own files.
            kwok_dir=$(go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
            for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
                pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete pod/chaos/pod-container-running-failed; do
                printf -- '---\n' >>"$config"
                cat "$kwok_dir/kustomize/stage/$stage.yaml" >>"$config"
            done
        fi
        B="$MODEL_SERVICES_TOOLCHAIN_BIN"
        kwokctl create cluster --name "$name" --config "$config" --runtime binary \
            --kube-apiserver-binary "$B/kube-apiserver" \
            --kube-controller-manager-binary "$B/kube-controller-manager" \
            --kube-scheduler-binary "$B/kube-scheduler" \
            --etcd-binary "$B/etcd" \
            --kwok-controller-binary "$B/kwok" \
            --kubeconfig "$kubeconfig" --wait 2m >"$KWOK_WORKDIR/create-$name.log" 2>&1 || {
            tail -n 20 "$KWOK_WORKDIR/create-$name.log" >&2
            log "kwokctl create cluster failed (log: $KWOK_WORKDIR/create-$name.log)"
            exit 1
        }
    fi
    log "cluster $name ready in $(( $(date +%s) - start ))s: $(kubectl --kubeconfig "$kubeconfig" get nodes --no-headers | wc -l) nodes; kubeconfig $kubeconfig"
    ;;
down)
    kwokctl delete cluster --name "$name" --kubeconfig "$kubeconfig" >/dev/null 2>&1 || true
    rm -f "$kubeconfig"
    ;;
*)
    log "unknown action $action (up|down)"
    exit 2
    ;;
esac
