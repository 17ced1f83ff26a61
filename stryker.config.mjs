// @ts-check
/**
 * Mutation testing of the pure layers (npm run test:mutation; scripts/mutation.sh).
 * Scope: the config and plan layers (with the Envoy renderer) and the policies — code
 * whose every branch a user notices. The Pulumi components are covered by the mock tier.
 * @type {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export default {
    packageManager: "npm",
    testRunner: "vitest",
    vitest: { configFile: "vitest.mutation.config.mts", related: false },
    checkers: ["typescript"],
    tsconfigFile: "tsconfig.mutation.json",
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    // Run only the tests that cover a mutant, and reuse the last run's results for
    // unchanged code and tests (kept beside the report, not committed).
    coverageAnalysis: "perTest",
    incremental: true,
    incrementalFile: "reports/mutation/stryker-incremental.json",
    mutate: [
        "components/config/**/*.ts",
        "components/plan/**/*.ts",
        "policies/**/*.ts",
        "!**/*.test.ts",
        // Test helpers of the policies, not product code.
        "!policies/lib/testing.ts",
        "!policies/lib/fixtures.ts",
        // The pack's entry: it starts the policy server, so only policies/index.test.ts (a
        // process of its own, outside this tier) loads it.
        "!policies/index.ts",
    ],
    // The sandbox needs the code and its tests, not the Python venv, the Go toolchain or local state.
    ignorePatterns: [".venv", ".cluster", ".pulumi", ".test-results", "toolchain", "tools", "bench", "test/e2e"],
    // Shared 2-core machines: one worker per core, nothing more.
    concurrency: 2,
    ignoreStatic: true,
    // Loaded machines stall a test run for seconds: a mutant times out (counts as killed)
    // only after 3× its tests' normal time plus 15 s.
    timeoutFactor: 3,
    timeoutMS: 15_000,
    thresholds: { high: 90, low: 85, break: 85 },
    reporters: ["clear-text", "progress", "json"],
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
};
