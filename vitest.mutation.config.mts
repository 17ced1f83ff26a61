import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Files that failed last first, then the fastest first: StrykerJS stops a mutant's run at its
 * first failing test (bail 1), so a mutant a quick config test kills is not first run through
 * the Pulumi-mock files' stacks. Vitest's default runs the slowest files first, which suits a
 * whole-suite run on many workers, not one worker that stops at the first failure.
 */
class FailedThenFastestFirst extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
        const last = new Map(files.map((spec) => [spec, this.ctx.cache.getTestSpecificationResult(spec)]));
        return [...files].sort((a, b) => {
            const x = last.get(a);
            const y = last.get(b);
            if (!x || !y) {
                return x ? 1 : y ? -1 : 0;
            }
            if (x.failed !== y.failed) {
                return x.failed ? -1 : 1;
            }
            return x.duration - y.duration;
        });
    }
}

/**
 * The tests StrykerJS runs against each mutant of the pure layers (config, plan, policies):
 * the whole unit tier — pure tests and the Pulumi-mock tests, which are where the planner's
 * output meets the resources — except the files that start external tools or processes (Go,
 * Python, npm, tsc, the CLI) or need a module graph of their own.
 */
export default defineConfig({
    test: {
        include: ["components/**/*.test.ts", "policies/**/*.test.ts", "test/*.test.ts", "test/cli/*.test.ts"],
        exclude: [
            "node_modules/**",
            // External tools and processes: seconds per run, and they test the tools' side.
            "test/countResults.test.ts",
            "test/envoyValidate.test.ts",
            "test/openaiClient.test.ts",
            "test/package.test.ts",
            "test/typecheck.test.ts",
            "test/vllmArgs.test.ts",
            "test/loraVllmArgs.test.ts",
            "test/cli/image.test.ts",
            "test/cli/trial.test.ts",
            // About the source tree or module loading, not the mutated code's behaviour: they
            // read files or mock modules, which a shared module cache (isolate: false) breaks.
            "test/architecture.test.ts",
            "test/mutationScore.test.ts",
            "test/projectFile.test.ts",
            "test/optionalAws.test.ts",
            "policies/index.test.ts",
            // Whole stacks under Pulumi mocks, 46 of the tier's 53 s: a mutant that survives runs
            // every covering test, so each survivor of the config or plan layer cost ~46 s more.
            // In the runs of capacity.ts, modelServices.ts, platformPlan.ts and scaleToZero.ts,
            // none of the 528 killed mutants was killed by these files alone (docs/mutation.md).
            "test/autoscale.resources.test.ts",
            "test/keptAcrossRuns.test.ts",
            "test/policies.stack.test.ts",
            "test/serviceStatus.test.ts",
            "test/stack.test.ts",
        ],
        // One module cache for all files (no process or context per file), so a mutant's run
        // costs its tests: the whole set runs in about 25 s on 2 cores.
        pool: "threads",
        sequence: { sequencer: FailedThenFastestFirst },
        isolate: false,
        // Every mutated module loads outside any test (see the file).
        setupFiles: ["test/helpers/loadMutatedLayers.ts"],
        testTimeout: 60_000,
    },
});
