/**
 * The last line of the test command (scripts/test.sh), `N passed, N failed`, counted from
 * the tiers' reports in .test-results/: vitest's JSON reporter and `go test -json`.
 *
 * Anything that did not pass counts as failed, with a one-line reason on stderr: a failed
 * test, a test file that failed outside its tests (an import, a beforeAll or afterAll that
 * threw), a skipped, pending or todo test (no test of this command is meant to skip), a
 * tier that ran no test, wrote no report or wrote one that cannot be read, and a runner
 * that exited non-zero although its report shows no failure (vitest's unhandled errors
 * appear only in its exit status).
 *
 * Usage: tsx scripts/countResults.ts <results dir> <format>:<tier>:<exit status>...
 * where <format> is `vitest` or `go` and the tier's report is `<results dir>/<tier>.json`.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** One tier's run as the test command saw it. */
export interface TierRun {
    /** The tier's name, as in `.test-results/<name>.json` (`unit`, `e2e`, `go-toolchain-pulumi-random`). */
    name: string;
    /** `vitest` for vitest's JSON reporter, `go` for `go test -json` (one event per line). */
    format: string;
    /** The report file's text; undefined when the tier wrote no report. */
    report: string | undefined;
    /** The runner's exit status. */
    exitStatus: number;
}

export interface Count {
    passed: number;
    failed: number;
    /** One line per counted failure. */
    reasons: string[];
}

/** The fields of vitest's JSON report that the count reads. */
interface VitestReport {
    testResults: Array<{
        name: string;
        status: string;
        message: string;
        assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }>;
    }>;
}

/** The fields of a `go test -json` event that the count reads. */
interface GoTestEvent {
    Action: string;
    Package?: string;
    Test?: string;
    ImportPath?: string;
    Output?: string;
    FailedBuild?: string;
}

/** Keeps a reason to one readable line. */
function oneLine(text: string | undefined): string {
    const line = ((text ?? "").split("\n").find((l) => l.trim() !== "") ?? "").trim();
    return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function countVitest(tier: string, report: VitestReport): Count {
    const count: Count = { passed: 0, failed: 0, reasons: [] };
    const fail = (reason: string) => {
        count.failed += 1;
        count.reasons.push(`${tier}: ${reason}`);
    };
    let tests = 0;
    for (const file of report.testResults) {
        let failedTests = 0;
        for (const test of file.assertionResults) {
            tests += 1;
            if (test.status === "passed") {
                count.passed += 1;
            } else if (test.status === "failed") {
                failedTests += 1;
                fail(`${file.name} > ${test.fullName}: failed: ${oneLine(test.failureMessages[0])}`);
            } else {
                fail(`${file.name} > ${test.fullName}: ${test.status}, and a test that does not run counts as failed`);
            }
        }
        // The file's own error: a failed import or a top-level beforeAll/afterAll that threw.
        if (file.message) {
            fail(`${file.name}: failed outside its tests: ${oneLine(file.message)}`);
        } else if (file.status === "failed" && failedTests === 0) {
            // A hook inside a describe block that threw leaves no message in the report.
            fail(`${file.name}: failed outside its tests (a hook in a describe block?), see the tier's output`);
        }
    }
    if (tests === 0) fail("no test ran");
    return count;
}

function countGoTest(tier: string, events: GoTestEvent[]): Count {
    const count: Count = { passed: 0, failed: 0, reasons: [] };
    const fail = (reason: string) => {
        count.failed += 1;
        count.reasons.push(`${tier}: ${reason}`);
    };
    let tests = 0;
    const packagesWithFailedTests = new Set<string>();
    const failedPackages: GoTestEvent[] = [];
    const buildOutput = new Map<string, string[]>();
    for (const e of events) {
        if (e.Action === "build-output" && e.ImportPath) {
            buildOutput.set(e.ImportPath, [...(buildOutput.get(e.ImportPath) ?? []), e.Output ?? ""]);
        } else if (e.Test && (e.Action === "pass" || e.Action === "fail" || e.Action === "skip")) {
            // One event per test and per subtest.
            tests += 1;
            if (e.Action === "pass") {
                count.passed += 1;
            } else if (e.Action === "fail") {
                packagesWithFailedTests.add(e.Package ?? "");
                fail(`${e.Package} ${e.Test}: failed`);
            } else {
                fail(`${e.Package} ${e.Test}: skipped, and a test that does not run counts as failed`);
            }
        } else if (!e.Test && e.Action === "fail") {
            failedPackages.push(e);
        }
    }
    // A package that failed without a failing test did not build, panicked or failed in TestMain.
    for (const pkg of failedPackages.filter((p) => !packagesWithFailedTests.has(p.Package ?? ""))) {
        if (pkg.FailedBuild) {
            const compilerError = (buildOutput.get(pkg.FailedBuild) ?? []).find((line) => !line.startsWith("#"));
            fail(`${pkg.Package}: did not build: ${oneLine(compilerError)}`);
        } else {
            fail(`${pkg.Package}: failed outside its tests, see the tier's output`);
        }
    }
    if (tests === 0) fail("no Go test ran");
    return count;
}

function isVitestReport(value: unknown): value is VitestReport {
    const results = (value as VitestReport | null)?.testResults;
    return Array.isArray(results) && results.every((file) => Array.isArray(file?.assertionResults));
}

/** Counts one tier: its report, or the lack of one, and its runner's exit status. */
export function countTier(tier: TierRun): Count {
    let count: Count;
    if (tier.report === undefined) {
        count = { passed: 0, failed: 1, reasons: [`${tier.name}: wrote no report (${tier.name}.json), its runner exited with status ${tier.exitStatus}`] };
    } else {
        try {
            if (tier.format === "vitest") {
                const report: unknown = JSON.parse(tier.report);
                if (!isVitestReport(report)) throw new Error("not a vitest JSON report (no testResults[].assertionResults)");
                count = countVitest(tier.name, report);
            } else if (tier.format === "go") {
                const lines = tier.report.split("\n").filter((line) => line.trim() !== "");
                count = countGoTest(tier.name, lines.map((line) => JSON.parse(line) as GoTestEvent));
            } else {
                throw new Error(`unknown report format "${tier.format}", expected vitest or go`);
            }
        } catch (e) {
            count = { passed: 0, failed: 1, reasons: [`${tier.name}: its report cannot be read: ${oneLine((e as Error).message)}`] };
        }
    }
    if (count.failed === 0 && tier.exitStatus !== 0) {
        count.failed += 1;
        count.reasons.push(`${tier.name}: its runner exited with status ${tier.exitStatus} although its report shows no failure (an unhandled error?), see the tier's output`);
    }
    return count;
}

/** Counts every tier. */
export function countResults(tiers: TierRun[]): Count {
    const total: Count = { passed: 0, failed: 0, reasons: [] };
    for (const count of tiers.map(countTier)) {
        total.passed += count.passed;
        total.failed += count.failed;
        total.reasons.push(...count.reasons);
    }
    return total;
}

/** The last line of the test command. */
export function summaryLine(count: Count): string {
    return `${count.passed} passed, ${count.failed} failed`;
}

function main(argv: string[]): number {
    const [resultsDir, ...tierArgs] = argv;
    if (resultsDir === undefined || tierArgs.length === 0 || tierArgs.some((arg) => !/^[a-z]+:[\w.-]+:\d+$/.test(arg))) {
        console.error("usage: tsx scripts/countResults.ts <results dir> <format>:<tier>:<exit status>...");
        return 2;
    }
    const tiers = tierArgs.map((arg): TierRun => {
        const [format, name, exitStatus] = arg.split(":");
        const file = path.join(resultsDir, `${name}.json`);
        return { name, format, report: existsSync(file) ? readFileSync(file, "utf8") : undefined, exitStatus: Number(exitStatus) };
    });
    for (const tier of tiers) {
        console.error(`[model-services] ${tier.name}: ${summaryLine(countTier(tier))}`);
    }
    const count = countResults(tiers);
    for (const reason of count.reasons) {
        console.error(`[model-services] FAILED ${reason}`);
    }
    console.log(summaryLine(count));
    return count.failed > 0 ? 1 : 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
