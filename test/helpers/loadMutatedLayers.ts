/**
 * Setup file of the mutation tier (vitest.mutation.config.mts): loads every module of the
 * mutated layers before any test runs. The Pulumi-mock tests import the components inside
 * `beforeAll`, so without this a module's first load — and with it every module-level
 * constant — would fall inside some test. StrykerJS would then count those constants as
 * covered by that test, yet with one module cache (`isolate: false`) a mutated constant is
 * never evaluated again, so it could only survive. Loaded here, outside any test, they are
 * static mutants, which `ignoreStatic` leaves out (docs/mutation.md says why).
 * Not `policies/index.ts`: it starts a policy pack server.
 */
import.meta.glob(["../../components/config/*.ts", "../../components/plan/**/*.ts", "../../policies/**/*.ts", "!**/*.test.ts", "!../../policies/index.ts"], { eager: true });
