import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { renderKeys } from "../../cli/commands/keys";
import { rotateKey } from "../../cli/keys/rotate";

const localStackFile = readFileSync(path.join(__dirname, "..", "..", "Pulumi.local.yaml"), "utf8");

/** Lines that differ between two texts, as [before, after] pairs (same line count assumed where it is). */
function changedLines(a: string, b: string): string[] {
    const x = a.split("\n");
    const y = b.split("\n");
    return y.filter((line, i) => line !== x[i]);
}

describe("keys rotate", () => {
    it("adds rotation: 1 to a key that had none and changes nothing else in the file", () => {
        const result = rotateKey(localStackFile, "research");
        expect(result).toMatchObject({ keyIndex: 1, rotation: 1 });
        const added = result.text.split("\n").filter((l) => !localStackFile.split("\n").includes(l));
        expect(added).toEqual(["      rotation: 1"]);
        // Comments, the flow list, the salt on one line: all kept.
        expect(result.text.replace("      rotation: 1\n", "")).toBe(localStackFile);
    });

    it("bumps an existing rotation in place", () => {
        const once = rotateKey(localStackFile, "app-prod").text;
        const twice = rotateKey(once, "app-prod");
        expect(twice.rotation).toBe(2);
        expect(changedLines(once, twice.text)).toEqual(["      rotation: 2"]);
    });

    it("names the keys there are when the name is wrong", () => {
        expect(() => rotateKey(localStackFile, "reserch")).toThrow('apiKeys: no key named "reserch"; the keys are "app-prod", "research"');
    });
});

describe("keys", () => {
    it("lists scopes and limits, values only when given", () => {
        const keys = [
            { name: "app-prod", services: ["test", "vision"], requestsPerMinute: 600 },
            { name: "research", services: ["*"], rotation: 2 },
        ];
        expect(renderKeys(keys)).toBe(
            ["KEY       SERVICES      REQUESTS/MIN  ROTATION", "app-prod  test, vision  600           0", "research  *             unlimited     2"].join("\n"),
        );
        expect(renderKeys(keys, { "app-prod": "sk-abc" })).toContain("(not deployed)");
        expect(renderKeys(keys)).not.toContain("sk-");
    });
});
