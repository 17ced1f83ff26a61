import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { valueOf } from "../../test/helpers/mocks";
import { readStackConfig, readStackFile } from "./stackFile";

/**
 * The two readers of a stack's `model-services:*` keys: `readStackConfig` from the running
 * engine's config (set here with `pulumi.runtime.setAllConfig`, the engine's config restored
 * after each test), and `readStackFile` from a `Pulumi.<stack>.yaml` in a temporary directory.
 */
let dir: string;
let savedConfig: Record<string, string>;
let savedSecretKeys: string[];

/** The engine's own test of whether a key is secret (not in the SDK's typings). */
const isConfigSecret = (key: string): boolean => (pulumi.runtime as unknown as { isConfigSecret: (k: string) => boolean }).isConfigSecret(key);

beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
    savedConfig = pulumi.runtime.allConfig();
    savedSecretKeys = Object.keys(savedConfig).filter(isConfigSecret);
});

afterEach(() => {
    pulumi.runtime.setAllConfig(savedConfig, savedSecretKeys);
    rmSync(dir, { recursive: true, force: true });
});

/** A file in the temporary directory, written. */
function file(name: string, text: string): string {
    const at = path.join(dir, name);
    writeFileSync(at, text);
    return at;
}

describe("readStackConfig: the running stack's keys", () => {
    it("keeps only the model-services keys, JSON-decoded, and lists which are secret", () => {
        pulumi.runtime.setAllConfig(
            { "aws:region": "us-east-1", "model-services:owner": "u-1", "model-services:nodeGroups": '[{"name":"gpu"}]', "model-services:huggingFaceToken": "hf_abc" },
            ["model-services:huggingFaceToken"],
        );
        const { raw, context } = readStackConfig();
        expect(raw).toEqual({ owner: "u-1", nodeGroups: [{ name: "gpu" }], huggingFaceToken: "hf_abc" });
        expect([...(context.secretKeys ?? [])]).toEqual(["huggingFaceToken"]);
    });

    it("gives the Hugging Face token as a secret Output of its value", async () => {
        pulumi.runtime.setAllConfig({ "model-services:huggingFaceToken": "hf_abc" }, ["model-services:huggingFaceToken"]);
        const token = readStackConfig().huggingFaceToken;
        expect(token).toBeDefined();
        expect(await valueOf(token as pulumi.Output<string>)).toBe("hf_abc");
        expect(await pulumi.isSecret(token as pulumi.Output<string>)).toBe(true);
    });

    it("has no token and no secret keys when none is configured", () => {
        pulumi.runtime.setAllConfig({ "model-services:owner": "u-1" }, []);
        const input = readStackConfig();
        expect(input.huggingFaceToken).toBeUndefined();
        expect([...(input.context.secretKeys ?? [])]).toEqual([]);
    });
});

describe("readStackConfig: a kubeconfig cluster's file", () => {
    it("resolves a relative path against the project directory", () => {
        const kubeconfig = file("kubeconfig", "apiVersion: v1\n");
        const relative = path.relative(pulumi.getRootDirectory(), kubeconfig);
        expect(path.isAbsolute(relative)).toBe(false);
        pulumi.runtime.setAllConfig({ "model-services:cluster": JSON.stringify({ kind: "kubeconfig", kubeconfig: relative, context: "kind" }) }, []);
        expect(readStackConfig().raw.cluster).toEqual({ kind: "kubeconfig", kubeconfig, context: "kind" });
    });

    it("refuses a path that names no file, showing the resolved path", () => {
        const missing = path.join(dir, "missing");
        pulumi.runtime.setAllConfig({ "model-services:cluster": JSON.stringify({ kind: "kubeconfig", kubeconfig: missing }) }, []);
        expect(() => readStackConfig()).toThrow(
            expect.objectContaining({
                issues: [
                    {
                        path: "cluster.kubeconfig",
                        value: missing,
                        message: `cluster.kubeconfig: names no file (${missing}), got ${JSON.stringify(missing)}. Start the cluster first (npm run cluster:up for the local stack), or fix the path.`,
                    },
                ],
            }),
        );
    });

    it("leaves an empty path, and the path of another kind of cluster, as written", () => {
        pulumi.runtime.setAllConfig({ "model-services:cluster": JSON.stringify({ kind: "kubeconfig", kubeconfig: "" }) }, []);
        expect(readStackConfig().raw.cluster).toEqual({ kind: "kubeconfig", kubeconfig: "" });
        pulumi.runtime.setAllConfig({ "model-services:cluster": JSON.stringify({ kind: "eks", kubeconfig: "missing" }) }, []);
        expect(readStackConfig().raw.cluster).toEqual({ kind: "eks", kubeconfig: "missing" });
    });
});

describe("readStackFile: a Pulumi.<stack>.yaml", () => {
    it("reads the model-services keys; a secure value is a placeholder, listed as secret", () => {
        const at = file("Pulumi.dev.yaml", "config:\n  aws:region: us-east-1\n  model-services:owner: u-1\n  model-services:huggingFaceToken:\n    secure: AAAB\n");
        const { raw, context } = readStackFile(at);
        expect(raw).toEqual({ owner: "u-1", huggingFaceToken: "[secret]" });
        expect(context.stack).toBe("dev");
        expect([...(context.secretKeys ?? [])]).toEqual(["huggingFaceToken"]);
    });

    it("takes the stack name from Pulumi.<stack>.yaml or .yml, else the whole file name", () => {
        const names = ["Pulumi.dev.yaml", "Pulumi.prod.eu.yml", "xPulumi.dev.yaml", "Pulumi.dev.yaml.bak", "Pulumi.dev.ymlx", "stack.yaml"];
        const stacks = names.map((name) => readStackFile(file(name, "config: {}\n")).context.stack);
        expect(stacks).toEqual(["dev", "prod.eu", "xPulumi.dev.yaml", "Pulumi.dev.yaml.bak", "Pulumi.dev.ymlx", "stack.yaml"]);
    });
});
