import { describe, expect, it } from "vitest";
import { ConfigError, formatPath, IssueList, quoted } from "./issues";

describe("IssueList", () => {
    it("keeps one of identical messages, and messages that differ in path or value", () => {
        const list = new IssueList();
        list.add("a.b", "x", "is bad", "fix it");
        list.add("a.b", "x", "is bad", "fix it");
        list.add("a.c", "x", "is bad", "fix it");
        list.add("a.b", "y", "is bad", "fix it");
        expect(list.issues.map((i) => i.message)).toEqual(['a.b: is bad, got "x". Fix it.', 'a.c: is bad, got "x". Fix it.', 'a.b: is bad, got "y". Fix it.']);
    });

    it("writes `<path>: <problem>, got <value>. <Fix>.`", () => {
        const issues = new IssueList();
        expect(issues.empty).toBe(true);
        issues.add("services[0].instances", -1, "expected a whole number ≥ 0", "set how many instances to run");
        expect(issues.empty).toBe(false);
        expect(issues.issues).toEqual([{ path: "services[0].instances", value: -1, message: "services[0].instances: expected a whole number ≥ 0, got -1. Set how many instances to run." }]);
    });

    it("leaves the value out when there is none, and the fix's own end punctuation alone", () => {
        const issues = new IssueList();
        issues.add("cluster", undefined, "is missing", "add it!");
        issues.add("owner", "x", "is wrong", "fix it?");
        issues.add("namespace", "a", "is wrong", "see the README.");
        issues.add("gateway", 1, "is wrong");
        expect(issues.issues.map((i) => i.message)).toEqual(['cluster: is missing. Add it!', 'owner: is wrong, got "x". Fix it?', 'namespace: is wrong, got "a". See the README.', "gateway: is wrong, got 1."]);
    });

    it("shows values as JSON, redaction markers as they are, and cuts long values at 80 characters", () => {
        const issues = new IssueList();
        issues.add("a", "[redacted]", "is a secret");
        issues.add("b", "[plaintext]", "is a secret");
        issues.add("c", "[other]", "is odd");
        issues.add("d", "x".repeat(79), "is long");
        issues.add("e", "x".repeat(78), "is long");
        issues.add("f", { k: [1, "v"] }, "is odd");
        // Only the whole marker is one: a value that merely contains it is shown quoted.
        issues.add("g", "x [redacted]", "is odd");
        issues.add("h", "[plaintext] y", "is odd");
        expect(issues.issues.map((i) => i.message)).toEqual([
            "a: is a secret, got [redacted].",
            "b: is a secret, got [plaintext].",
            'c: is odd, got "[other]".',
            `d: is long, got "${"x".repeat(76)}....`,
            `e: is long, got "${"x".repeat(78)}".`,
            'f: is odd, got {"k":[1,"v"]}.',
            'g: is odd, got "x [redacted]".',
            'h: is odd, got "[plaintext] y".',
        ]);
    });
});

describe("ConfigError", () => {
    it("lists every problem under one headline that counts them", () => {
        const issues = new IssueList();
        issues.add("a", 1, "is wrong");
        const one = new ConfigError(issues.issues);
        expect(one.message).toBe("Invalid model-services config (1 problem); nothing was changed:\n  - a: is wrong, got 1.");
        expect(one.name).toBe("ConfigError");
        issues.add("b", 2, "is wrong");
        expect(new ConfigError(issues.issues).message).toBe("Invalid model-services config (2 problems); nothing was changed:\n  - a: is wrong, got 1.\n  - b: is wrong, got 2.");
    });
});

describe("formatPath and quoted", () => {
    it("writes keys with dots and indexes in brackets", () => {
        expect(formatPath(["services", 2, "instances"])).toBe("services[2].instances");
        expect(formatPath([0, "name"])).toBe("[0].name");
        expect(formatPath([])).toBe("");
        expect(formatPath(["gateway", "tls", "secretName"])).toBe("gateway.tls.secretName");
    });

    it("quotes names in a comma-separated list", () => {
        expect(quoted(["a", "b"])).toBe('"a", "b"');
        expect(quoted([])).toBe("");
    });
});
