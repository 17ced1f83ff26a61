import { readdirSync } from "node:fs";
import * as path from "node:path";
import { beforeAll } from "vitest";

/**
 * Setup file of the mutation tier (vitest.mutation.config.mts): loads every module of the
 * mutated layers before any test runs. The Pulumi-mock tests import the components inside
 * `beforeAll`, so without this a module's first load — and with it every module-level
 * constant — could fall inside some test. StrykerJS would then count those constants as
 * covered by that test, yet with one module cache (`isolate: false`) a mutated constant is
 * never evaluated again, so it could only survive. Loaded here, outside any test (StrykerJS
 * marks the current test in `beforeEach`), they are static mutants, which `ignoreStatic`
 * leaves out (docs/mutation.md says why). Not `policies/index.ts`: it starts a policy pack server.
 */
const root = path.resolve(__dirname, "../..");
const modules = ["components/config", "components/plan", "policies"]
    .flatMap((dir) => readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" }).map((file) => path.join(dir, file)))
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && file !== path.join("policies", "index.ts"));

beforeAll(async () => {
    for (const file of modules) {
        await import(path.join(root, file));
    }
});
