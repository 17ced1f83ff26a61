#!/usr/bin/env bash
# The project's test command (README; .ci/run runs exactly this): installs what is missing,
# builds the pinned toolchain once per machine, runs the unit tier and the end-to-end tier,
# and ends with "N passed, N failed".
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_node_modules
ensure_toolchain
ensure_python_client

results="$PROJECT_ROOT/.test-results"
rm -rf "$results" && mkdir -p "$results"
status=0

log "unit tier (vitest, Pulumi mocks, policies, Envoy schema)"
(cd "$PROJECT_ROOT" && vitest run --reporter=default --reporter=json --outputFile="$results/unit.json") || status=1

log "Go tier (the project's own random provider; go test)"
for module in toolchain/pulumi-random; do
    (cd "$PROJECT_ROOT/$module" && GOFLAGS=-mod=readonly go test -count=1 -json ./...) >"$results/go-${module//\//-}.json" || status=1
done

log "end-to-end tier (real Pulumi engine, Kubernetes API, KWOK)"
"$PROJECT_ROOT/scripts/e2e.sh" --reporter=default --reporter=json --outputFile="$results/e2e.json" || status=1

node -e '
const fs = require("fs");
let passed = 0, failed = 0;
for (const tier of ["unit", "e2e"]) {
    const file = `${process.argv[1]}/${tier}.json`;
    if (!fs.existsSync(file)) { console.error(`[model-services] ${tier} tier produced no results`); failed += 1; continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numTotalTestSuites > 0 && r.numTotalTests === 0 ? 1 : 0);
    console.error(`[model-services] ${tier}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
// go test -json: one "pass" or "fail" event per test (and subtest), with its Test name.
for (const file of fs.readdirSync(process.argv[1]).filter((f) => f.startsWith("go-"))) {
    let p = 0, f = 0, packageFailures = 0;
    for (const line of fs.readFileSync(`${process.argv[1]}/${file}`, "utf8").split("\n")) {
        if (!line.startsWith("{")) continue;
        const e = JSON.parse(line);
        if (e.Test && e.Action === "pass") p += 1;
        if (e.Test && e.Action === "fail") f += 1;
        if (!e.Test && e.Action === "fail") packageFailures += 1;
    }
    // A package that failed without a failing test did not build or crashed.
    if (f === 0) f = packageFailures;
    if (p + f === 0) { console.error(`[model-services] ${file}: no Go test ran`); f += 1; }
    passed += p; failed += f;
    console.error(`[model-services] ${file.replace(/\.json$/, "")}: ${p} passed, ${f} failed`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
' "$results" || status=1
exit $status
