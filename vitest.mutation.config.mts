import { defineConfig } from "vitest/config";

/**
 * The tests StrykerJS runs against each mutant of the pure layers (config, plan, policies):
 * the pure tests only. Tests under Pulumi mocks or with external tools also cover these
 * files, but cost seconds per run; the pure tests must kill the mutants on their own.
 */
export default defineConfig({
    test: {
        include: [
            "components/**/*.test.ts",
            "policies/**/*.test.ts",
            "test/config.test.ts",
            "test/capacity.test.ts",
            "test/envoyConfig.test.ts",
            "test/envoyConfig.property.test.ts",
            "test/docs.test.ts",
        ],
        exclude: ["node_modules/**"],
        // Pure code, no process-global state: one module cache for all files, so a mutant's
        // run costs its tests, not a process per file.
        pool: "threads",
        isolate: false,
        testTimeout: 60_000,
    },
});
