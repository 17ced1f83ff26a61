import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

// Not from ./helpers/platform: that imports the stack's code, and a type check has to report
// what is broken there rather than fail to load.
const projectRoot = path.resolve(__dirname, "..");

describe("the project", () => {
    // tsconfig sets noCheck so Pulumi's ts-node only transpiles; the type check happens here, strictly.
    it("type-checks under the strict tsconfig", () => {
        const tsc = path.join(projectRoot, "node_modules", "typescript", "bin", "tsc");
        const run = spawnSync(process.execPath, [tsc, "--noEmit", "--noCheck", "false", "-p", projectRoot], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        if (run.error) {
            throw new Error(`tsc could not run (${process.execPath} ${tsc}): ${run.error.message}`);
        }
        expect(run.status, `tsc exited with ${run.status ?? run.signal}:\n${run.stdout}${run.stderr}`).toBe(0);
        // The whole project, strictly: over a minute when other jobs share the cores.
    }, 300_000);
});
