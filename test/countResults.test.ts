import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { countResults, TierRun } from "../scripts/countResults";

/**
 * Fixtures in the shape vitest 5's JSON reporter and `go test -json` (Go 1.26) really
 * write, taken from runs of small throwaway test files.
 */

type TestStatus = "passed" | "failed" | "skipped" | "pending" | "todo";

function test(fullName: string, status: TestStatus, failureMessage?: string) {
    const title = fullName.split(" ").pop()!;
    return { ancestorTitles: fullName.split(" ").slice(0, -1), fullName, status, title, failureMessages: failureMessage ? [failureMessage] : [], meta: {}, tags: [], benchmarks: [] };
}

function file(name: string, tests: ReturnType<typeof test>[], fileError = "") {
    const failed = fileError !== "" || tests.some((t) => t.status === "failed");
    return { assertionResults: tests, startTime: 0, endTime: 0, status: failed ? "failed" : "passed", message: fileError, name: `/work/main/test/${name}` };
}

/** A vitest JSON report with its totals counted as vitest counts them. */
function vitestReport(...files: ReturnType<typeof file>[]) {
    const tests = files.flatMap((f) => f.assertionResults);
    const withStatus = (...statuses: string[]) => tests.filter((t) => statuses.includes(t.status)).length;
    return {
        numTotalTestSuites: files.length,
        numPassedTestSuites: files.filter((f) => f.status === "passed").length,
        numFailedTestSuites: files.filter((f) => f.status === "failed").length,
        numPendingTestSuites: 0,
        numTotalTests: tests.length,
        numPassedTests: withStatus("passed"),
        numFailedTests: withStatus("failed"),
        numPendingTests: withStatus("skipped", "pending", "todo"),
        numTodoTests: withStatus("todo"),
        startTime: 0,
        success: files.every((f) => f.status === "passed"),
        testResults: files,
    };
}

function vitestTier(name: string, report: object | undefined, exitStatus = 0): TierRun {
    return { name, format: "vitest", report: report === undefined ? undefined : JSON.stringify(report), exitStatus };
}

const cleanUnit = vitestReport(file("config.test.ts", [test("parseConfig reads the stack", "passed"), test("parseConfig rejects -1", "passed")]));

describe("countResults", () => {
    it("counts a clean run as all passed", () => {
        expect(countResults([vitestTier("unit", cleanUnit), vitestTier("e2e", vitestReport(file("e2e/lifecycle.test.ts", [test("lifecycle deploys", "passed")])))])).toEqual({
            passed: 3,
            failed: 0,
            reasons: [],
        });
    });

    it("counts a beforeAll that threw: every test it skipped, and the file's error", () => {
        const e2e = vitestReport(file("e2e/lifecycle.test.ts", [test("lifecycle deploys", "skipped"), test("lifecycle scales", "skipped")], "cluster did not start"));
        const count = countResults([vitestTier("unit", cleanUnit), vitestTier("e2e", e2e, 1)]);
        expect(count.passed).toBe(2);
        expect(count.failed).toBe(3);
        expect(count.reasons).toEqual([
            "e2e: /work/main/test/e2e/lifecycle.test.ts > lifecycle deploys: skipped, and a test that does not run counts as failed",
            "e2e: /work/main/test/e2e/lifecycle.test.ts > lifecycle scales: skipped, and a test that does not run counts as failed",
            "e2e: /work/main/test/e2e/lifecycle.test.ts: failed outside its tests: cluster did not start",
        ]);
    });

    it("counts a file that failed to import, which reports no test", () => {
        const unit = vitestReport(cleanUnit.testResults[0], file("stack.test.ts", [], "Cannot find module '../components/config' imported from /work/main/test/stack.test.ts"));
        expect(countResults([vitestTier("unit", unit, 1)])).toEqual({
            passed: 2,
            failed: 1,
            reasons: ["unit: /work/main/test/stack.test.ts: failed outside its tests: Cannot find module '../components/config' imported from /work/main/test/stack.test.ts"],
        });
    });

    it("counts an afterAll that threw after its tests passed", () => {
        const unit = vitestReport(file("keyStore.test.ts", [test("keys are secret", "passed")], "cleanup failed"));
        expect(countResults([vitestTier("unit", unit, 1)])).toMatchObject({ passed: 1, failed: 1 });
    });

    it("counts a failed file without a message (a describe block's hook that threw) once, beside the tests it skipped", () => {
        const nested = file("envoyConfig.test.ts", [test("renders", "passed"), test("routes validate", "skipped")]);
        nested.status = "failed";
        const count = countResults([vitestTier("unit", vitestReport(nested), 1)]);
        expect(count).toMatchObject({ passed: 1, failed: 2 });
        expect(count.reasons[1]).toBe("unit: /work/main/test/envoyConfig.test.ts: failed outside its tests (a hook in a describe block?), see the tier's output");
    });

    it.each(["skipped", "pending", "todo"] as const)("counts a %s test as failed, naming it", (status) => {
        const unit = vitestReport(file("openaiClient.test.ts", [test("node client maps errors", "passed"), test("python client maps errors", status)]));
        expect(countResults([vitestTier("unit", unit)])).toEqual({
            passed: 1,
            failed: 1,
            reasons: [`unit: /work/main/test/openaiClient.test.ts > python client maps errors: ${status}, and a test that does not run counts as failed`],
        });
    });

    it("counts a failed test with the first line of its failure", () => {
        const unit = vitestReport(file("capacity.test.ts", [test("fits", "failed", "AssertionError: expected 1 to be 2 // Object.is equality\n    at capacity.test.ts:5:29")]));
        expect(countResults([vitestTier("unit", unit, 1)]).reasons).toEqual(["unit: /work/main/test/capacity.test.ts > fits: failed: AssertionError: expected 1 to be 2 // Object.is equality"]);
    });

    it("counts a tier that ran no test", () => {
        expect(countResults([vitestTier("e2e", vitestReport(), 1)])).toEqual({ passed: 0, failed: 1, reasons: ["e2e: no test ran"] });
    });

    it("counts a tier that wrote no report, and one whose report cannot be read", () => {
        const count = countResults([
            vitestTier("unit", cleanUnit),
            vitestTier("e2e", undefined, 1),
            { name: "go-toolchain-pulumi-random", format: "vitest", report: '{"numTotalTests": 3, "testResu', exitStatus: 0 },
            { name: "unit2", format: "vitest", report: "{}", exitStatus: 0 },
        ]);
        expect(count.passed).toBe(2);
        expect(count.failed).toBe(3);
        expect(count.reasons[0]).toBe("e2e: wrote no report (e2e.json), its runner exited with status 1");
        expect(count.reasons[1]).toMatch(/^go-toolchain-pulumi-random: its report cannot be read: .*JSON/);
        expect(count.reasons[2]).toBe("unit2: its report cannot be read: not a vitest JSON report (no testResults[].assertionResults)");
    });

    it("counts a runner that exited non-zero with a clean report (vitest's unhandled errors are only in its exit status)", () => {
        expect(countResults([vitestTier("unit", cleanUnit, 1)])).toMatchObject({ passed: 2, failed: 1 });
    });
});

describe("countResults on go test -json", () => {
    const pkg = "github.com/model-services/pulumi-random";
    const goTier = (events: object[], exitStatus: number): TierRun => ({
        name: "go-toolchain-pulumi-random",
        format: "go",
        report: events.map((e) => JSON.stringify(e)).join("\n") + "\n",
        exitStatus,
    });

    it("counts each test and subtest, a skipped one as failed, and a package that did not build", () => {
        const events = [
            { ImportPath: `${pkg}/broken [${pkg}/broken.test]`, Action: "build-output", Output: `# ${pkg}/broken [${pkg}/broken.test]\n` },
            { ImportPath: `${pkg}/broken [${pkg}/broken.test]`, Action: "build-output", Output: "broken/broken_test.go:3:28: undefined: undefinedThing\n" },
            { ImportPath: `${pkg}/broken [${pkg}/broken.test]`, Action: "build-fail" },
            { Action: "start", Package: `${pkg}/broken` },
            { Action: "fail", Package: `${pkg}/broken`, Elapsed: 0.001, FailedBuild: `${pkg}/broken [${pkg}/broken.test]` },
            // A package without test files is not a failure.
            { Action: "start", Package: `${pkg}/schema` },
            { Action: "skip", Package: `${pkg}/schema`, Elapsed: 0 },
            { Action: "start", Package: pkg },
            { Action: "run", Package: pkg, Test: "TestCreate" },
            { Action: "run", Package: pkg, Test: "TestCreate/password" },
            { Action: "output", Package: pkg, Test: "TestCreate/password", Output: "=== RUN   TestCreate/password\n" },
            { Action: "pass", Package: pkg, Test: "TestCreate/password", Elapsed: 0 },
            { Action: "pass", Package: pkg, Test: "TestCreate", Elapsed: 0 },
            { Action: "run", Package: pkg, Test: "TestRead" },
            { Action: "fail", Package: pkg, Test: "TestRead", Elapsed: 0 },
            { Action: "run", Package: pkg, Test: "TestBinaryVersionFromLdflags" },
            { Action: "skip", Package: pkg, Test: "TestBinaryVersionFromLdflags", Elapsed: 0 },
            { Action: "fail", Package: pkg, Elapsed: 0.006 },
        ];
        expect(countResults([goTier(events, 1)])).toEqual({
            passed: 2,
            failed: 3,
            reasons: [
                `go-toolchain-pulumi-random: ${pkg} TestRead: failed`,
                `go-toolchain-pulumi-random: ${pkg} TestBinaryVersionFromLdflags: skipped, and a test that does not run counts as failed`,
                `go-toolchain-pulumi-random: ${pkg}/broken: did not build: broken/broken_test.go:3:28: undefined: undefinedThing`,
            ],
        });
    });

    it("counts a module where nothing built, and one where go did not start", () => {
        const buildFailure = [
            { ImportPath: `${pkg} [${pkg}.test]`, Action: "build-output", Output: "provider.go:10:2: undefined: x\n" },
            { ImportPath: `${pkg} [${pkg}.test]`, Action: "build-fail" },
            { Action: "fail", Package: pkg, Elapsed: 0, FailedBuild: `${pkg} [${pkg}.test]` },
        ];
        expect(countResults([goTier(buildFailure, 1)]).reasons).toEqual([
            `go-toolchain-pulumi-random: ${pkg}: did not build: provider.go:10:2: undefined: x`,
            "go-toolchain-pulumi-random: no Go test ran",
        ]);
        expect(countResults([goTier([], 127)])).toEqual({ passed: 0, failed: 1, reasons: ["go-toolchain-pulumi-random: no Go test ran"] });
    });
});

describe("the test command's last line", () => {
    const projectRoot = path.resolve(__dirname, "..");
    // Run with this Node.js (the project's 22), whatever `node` the PATH finds first.
    const bin = (name: string) => path.join(projectRoot, "node_modules", ".bin", name);

    it("reports a failure when an end-to-end beforeAll throws (a real vitest report, counted by the script)", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "count-results-"));
        try {
            writeFileSync(
                path.join(dir, "lifecycle.test.ts"),
                [
                    'import { beforeAll, describe, expect, it } from "vitest";',
                    'beforeAll(() => { throw new Error("cluster did not start"); });',
                    'describe("lifecycle", () => { it("deploys", () => expect(1).toBe(1)); it("scales", () => expect(1).toBe(1)); });',
                ].join("\n"),
            );
            const vitest = spawnSync(process.execPath, [bin("vitest"), "run", "--root", dir, "--reporter=json", `--outputFile=${path.join(dir, "e2e.json")}`], { cwd: dir, encoding: "utf8" });
            expect(vitest.status, vitest.stderr).toBe(1);
            const report = JSON.parse(readFileSync(path.join(dir, "e2e.json"), "utf8"));
            // What vitest itself says: no test failed.
            expect(report.numFailedTests).toBe(0);

            expect(countResults([{ name: "e2e", format: "vitest", report: JSON.stringify(report), exitStatus: 1 }])).toMatchObject({ passed: 0, failed: 3 });

            const script = spawnSync(process.execPath, [bin("tsx"), path.join(projectRoot, "scripts", "countResults.ts"), dir, "vitest:e2e:1"], { encoding: "utf8" });
            expect(script.stdout.trim().split("\n").pop()).toBe("0 passed, 3 failed");
            expect(script.status).toBe(1);
            expect(script.stderr).toContain("[model-services] FAILED e2e: ");
            expect(script.stderr).toContain("lifecycle.test.ts: failed outside its tests: cluster did not start");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
