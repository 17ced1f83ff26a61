#!/usr/bin/env bash
# The project's test command (README; .ci/run runs exactly this): installs what is missing,
# builds the pinned toolchain once per machine, runs the unit tier and the end-to-end tier,
# and ends with "N passed, N failed".
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_node_modules
ensure_toolchain
ensure_python_client
ensure_sd_server
ensure_vllm_args

results="$PROJECT_ROOT/.test-results"
rm -rf "$results" && mkdir -p "$results"
# Each tier as <report format>:<name>:<exit status>; its report is $results/<name>.json.
tiers=()

log "unit tier (vitest, Pulumi mocks, policies, Envoy schema)"
code=0
(cd "$PROJECT_ROOT" && vitest run --reporter=default --reporter=json --outputFile="$results/unit.json") || code=$?
tiers+=("vitest:unit:$code")

log "Go tier (the project's own random provider and Node language host; go test)"
for module in toolchain/pulumi-random toolchain/pulumi-language-nodejs; do
    name="go-${module//\//-}"
    code=0
    (cd "$PROJECT_ROOT/$module" && GOFLAGS=-mod=readonly go test -count=1 -json ./...) >"$results/$name.json" || code=$?
    tiers+=("go:$name:$code")
done

log "end-to-end tier (real Pulumi engine, Kubernetes API, KWOK)"
code=0
"$PROJECT_ROOT/scripts/e2e.sh" --reporter=default --reporter=json --outputFile="$results/e2e.json" || code=$?
tiers+=("vitest:e2e:$code")

# Anything that did not pass counts as failed: failed tests and files, hooks that threw,
# skipped tests, tiers that ran nothing or wrote no report (one reason per failure on
# stderr). Its exit status is the command's: non-zero when anything failed.
exec tsx "$PROJECT_ROOT/scripts/countResults.ts" "$results" "${tiers[@]}"
