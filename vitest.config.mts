import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts", "policies/**/*.test.ts", "components/**/*.test.ts", "scripts/**/*.test.ts"],
        exclude: ["test/e2e/**", "node_modules/**"],
        // Pulumi's runtime is process-global state: every file gets its own.
        isolate: true,
        pool: "forks",
        testTimeout: 60_000,
        // Hooks run whole programs under mocks too: seconds each on a loaded machine.
        hookTimeout: 60_000,
    },
});
