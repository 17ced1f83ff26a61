#!/usr/bin/env bash
# Prints the environment of the local stack for an interactive shell:
#   eval "$(./scripts/env.sh)"
# then `pulumi stack output --show-secrets apiKeys --stack local`, `kubectl get pods -A`, ...
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules >&2
ensure_toolchain
pulumi_env
for name in PATH PULUMI_HOME PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE PULUMI_SKIP_UPDATE_CHECK PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION; do
    printf 'export %s=%q\n' "$name" "${!name}"
done
printf 'export KUBECONFIG=%q\n' "$PROJECT_ROOT/.cluster/kubeconfig"
