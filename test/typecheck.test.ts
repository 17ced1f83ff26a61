import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "./helpers/platform";

describe("the project", () => {
    // tsconfig sets noCheck so Pulumi's ts-node only transpiles; the type check happens here, strictly.
    it("type-checks under the strict tsconfig", () => {
        const tsc = path.join(projectRoot, "node_modules", "typescript", "bin", "tsc");
        let output = "";
        try {
            execFileSync(process.execPath, [tsc, "--noEmit", "--noCheck", "false", "-p", projectRoot], { encoding: "utf8", stdio: "pipe" });
        } catch (e) {
            output = String((e as { stdout?: string }).stdout ?? e);
        }
        expect(output).toBe("");
    });
});
