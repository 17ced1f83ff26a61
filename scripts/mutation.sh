#!/usr/bin/env bash
# Mutation testing of the pure layers (config, plan with the Envoy renderer, policies) with
# StrykerJS: prints each layer's score and the time taken, and fails when a layer scores
# below the threshold. Incremental: only mutants of changed code or tests run again.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules

# The threshold every layer must reach, in %.
threshold=85

cd "$PROJECT_ROOT"
started=$(date +%s)
code=0
stryker run stryker.config.mjs || code=$?
elapsed=$(( $(date +%s) - started ))
log "mutation scores (threshold $threshold %), $((elapsed / 60)) min $((elapsed % 60)) s"
if [[ -f reports/mutation/mutation.json ]]; then
    tsx scripts/mutationScore.ts reports/mutation/mutation.json "$threshold" || code=1
else
    log "no mutation report: Stryker did not finish"
    code=1
fi
exit "$code"
