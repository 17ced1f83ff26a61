import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/e2e/**/*.test.ts"],
        pool: "forks",
        // One engine and one cluster: files and tests run one at a time.
        fileParallelism: false,
        testTimeout: 600_000,
        hookTimeout: 300_000,
    },
});
