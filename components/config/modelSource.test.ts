import { beforeEach, describe, expect, it, vi } from "vitest";

/**
 * How one config string becomes a model source, or the problem and fix it draws. The URI
 * patterns are module constants, so each test imports the module afresh: a changed pattern
 * then shows in the test that checks it, also to mutation testing (docs/mutation.md,
 * "module constants").
 */
let mod: typeof import("./modelSource");

beforeEach(async () => {
    vi.resetModules();
    mod = await import("./modelSource");
});

const notHuggingFace = {
    problem: "is not a Hugging Face repo id, an s3:// URI, a pvc:// URI or an absolute path",
    fix: "write owner/name as on huggingface.co, e.g. Qwen/Qwen3-8B",
};
const notS3 = {
    problem: "is not an s3://bucket/prefix URI",
    fix: "name the bucket and the prefix the weights are under, e.g. s3://acme-models/qwen3-8b (read access is granted to that prefix only)",
};
const notPvc = {
    problem: "is not a pvc://claim/path URI",
    fix: "name a PersistentVolumeClaim of the namespace and the directory inside it, e.g. pvc://models/qwen3-8b",
};
const otherStorage = {
    problem: "uses a storage scheme the platform cannot grant access to",
    fix: "copy the weights to S3 (s3://bucket/prefix) or a volume (pvc://claim/path)",
};

describe("model source: a Hugging Face repo id is owner/name, the whole string", () => {
    it("reads owner/name as a repo", () => {
        expect(mod.parseModelSource("Qwen/Qwen3-8B")).toEqual({ kind: "huggingface", uri: "Qwen/Qwen3-8B", repo: "Qwen/Qwen3-8B" });
    });

    it.each(["-a/b", "a/b/c", "a/b ", "qwen3-8b"])("refuses %j, naming the four forms", (uri) => {
        expect(mod.parseModelSource(uri)).toEqual(notHuggingFace);
    });
});

describe("model source: s3://bucket/prefix", () => {
    it("reads the bucket and the prefix, inner slashes kept", () => {
        expect(mod.parseModelSource("s3://acme-models/org/qwen3-8b")).toEqual({
            kind: "s3",
            uri: "s3://acme-models/org/qwen3-8b",
            bucket: "acme-models",
            prefix: "org/qwen3-8b",
        });
    });

    it.each([
        ["s3://acme-models///qwen3-8b", "qwen3-8b"],
        ["s3://acme-models/qwen3-8b/", "qwen3-8b"],
        ["s3://acme-models/qwen3-8b//", "qwen3-8b"],
        ["s3://acme-models//org/qwen3-8b//", "org/qwen3-8b"],
    ])("%s: the prefix has no leading or trailing '/' (%s)", (uri, prefix) => {
        expect(mod.parseModelSource(uri)).toMatchObject({ kind: "s3", bucket: "acme-models", prefix });
    });

    it.each([
        "s3://acme-models",
        "s3://acme-models/",
        "s3://acme-models///",
        "s3://Acme/qwen3-8b",
        // The pattern holds from the scheme on, not from a later s3:// in the string.
        "s3://BAD/s3://acme-models/qwen3-8b",
        // ... and to the very end: a line break is no part of a prefix.
        "s3://acme-models/qwen3-8b\nrest",
    ])("refuses %j, with an example", (uri) => {
        expect(mod.parseModelSource(uri)).toEqual(notS3);
    });
});

describe("model source: storage the platform cannot grant access to", () => {
    it.each(["gs://bucket/model", "az://account/model", "http://host/model", "https://host/model"])("refuses %s: copy it to S3 or a volume", (uri) => {
        expect(mod.parseModelSource(uri)).toEqual(otherStorage);
    });

    it.each([
        ["pvc://models/https://qwen3-8b", { kind: "volume", claim: "models", path: "https://qwen3-8b" }],
        ["/opt/gs://qwen3-8b", { kind: "path", path: "/opt/gs://qwen3-8b" }],
    ])("only a URI that starts with such a scheme: %s is read as written", (uri, source) => {
        expect(mod.parseModelSource(uri)).toMatchObject(source);
    });
});

describe("model source: pvc://claim/path", () => {
    it("reads the claim and the path inside it, inner slashes kept", () => {
        expect(mod.parseModelSource("pvc://models/org/qwen3-8b")).toEqual({
            kind: "volume",
            uri: "pvc://models/org/qwen3-8b",
            claim: "models",
            path: "org/qwen3-8b",
        });
    });

    it.each([
        ["pvc://models///qwen3-8b", "qwen3-8b"],
        ["pvc://models/qwen3-8b/", "qwen3-8b"],
        ["pvc://models/qwen3-8b//", "qwen3-8b"],
        ["pvc://models//org/qwen3-8b//", "org/qwen3-8b"],
    ])("%s: the path has no leading or trailing '/' (%s)", (uri, path) => {
        expect(mod.parseModelSource(uri)).toMatchObject({ kind: "volume", claim: "models", path });
    });

    it.each([
        "pvc://models",
        "pvc://models/",
        "pvc://Models/qwen3-8b",
        "pvc://models/..",
        "pvc://models/org/../qwen3-8b",
        // The pattern holds from the scheme on, not from a later pvc:// in the string.
        "pvc:///pvc://models/qwen3-8b",
        // ... and to the very end: a line break is no part of a path.
        "pvc://models/qwen3-8b\nrest",
    ])("refuses %j, with an example", (uri) => {
        expect(mod.parseModelSource(uri)).toEqual(notPvc);
    });

    it("takes a doubled '/' inside the path as written", () => {
        expect(mod.parseModelSource("pvc://models/org//qwen3-8b")).toMatchObject({ kind: "volume", path: "org//qwen3-8b" });
    });
});

describe("model source: an absolute path", () => {
    it("reads the path as written", () => {
        expect(mod.parseModelSource("/opt/models/qwen3-8b")).toEqual({ kind: "path", uri: "/opt/models/qwen3-8b", path: "/opt/models/qwen3-8b" });
    });

    it.each(["/opt/../etc", "/opt/models/.."])("refuses %s: no '..'", (uri) => {
        expect(mod.parseModelSource(uri)).toEqual({ problem: "has '..' in its path", fix: "give the directory's absolute path without '..'" });
    });

    it("takes '..' inside a name as part of the name", () => {
        expect(mod.parseModelSource("/opt/qwen..8b")).toMatchObject({ kind: "path", path: "/opt/qwen..8b" });
    });
});

describe("model source: isModelSource tells a source from a problem", () => {
    it("is true for a source and false for a problem", () => {
        expect(mod.isModelSource(mod.parseModelSource("Qwen/Qwen3-8B"))).toBe(true);
        expect(mod.isModelSource(mod.parseModelSource("qwen3-8b"))).toBe(false);
    });
});
