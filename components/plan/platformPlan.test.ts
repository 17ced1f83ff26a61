import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../config/parse";
import { readStackFile } from "../config/stackFile";
import { loadPlatform, planOrThrow, planPlatform } from "./platformPlan";
import type { PlatformPlan } from "./types";

const root = path.resolve(__dirname, "../..");

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const v of Object.values(value)) deepFreeze(v);
    }
    return value;
}

describe.each(["local", "dev"])("planPlatform on the shipped %s stack", (stack) => {
    const { raw, context } = readStackFile(path.join(root, `Pulumi.${stack}.yaml`));

    it("never writes to the config it is given, and gives the same plan every time", () => {
        const config = deepFreeze(parseConfig(raw, context));
        const snapshot = JSON.stringify(config);
        const first = planPlatform(config);
        const second = planPlatform(config);
        expect(JSON.stringify(config)).toBe(snapshot);
        expect(second).toEqual(first);
        expect(first.issues).toEqual([]);
    });

    it("returns new objects, not the config's", () => {
        const config = parseConfig(raw, context);
        const { plan } = planPlatform(config);
        plan.services[0].engineArgs.push("--changed");
        plan.nodeGroups[0].desiredSize += 1;
        expect(config.services[0].engineArgs).not.toContain("--changed");
        expect(planPlatform(config).plan.nodeGroups[0].desiredSize).toBe(plan.nodeGroups[0].desiredSize - 1);
    });

    it("fills in what the config left to the planner: access names, GPUs, instance types, sizes", () => {
        const plan = loadPlatform(raw, context);
        for (const s of plan.services) {
            expect(s.accessName).toBe(`${plan.owner}/${s.name}`);
            expect(s.gpus).toBeGreaterThanOrEqual(1);
        }
        for (const g of plan.nodeGroups) {
            expect(g.instanceType).not.toBe("");
            // GPU groups from the GPU catalog; the one CPU group is the default system group.
            expect(g.gpusPerNode > 0).toBe(g.kind === "gpu");
            expect(g.desiredSize).toBeGreaterThanOrEqual(g.minSize);
            expect(g.desiredSize).toBeLessThanOrEqual(g.maxSize);
        }
        expect(plan.nodeGroups.filter((g) => g.kind === "cpu").map((g) => `${g.name} ${g.instanceType} ${g.desiredSize}`)).toEqual(["system m7i.large 2"]);
    });
});

describe("planOrThrow", () => {
    it("reports the planner's problems with path, value and fix, as one error", () => {
        const { raw, context } = readStackFile(path.join(root, "Pulumi.local.yaml"));
        const config = parseConfig(raw, context);
        const tooMany = { ...config, services: config.services.map((s, i) => (i === 0 ? { ...s, instances: 50 } : s)) };
        expect(() => planOrThrow(tooMany)).toThrow(/nodeGroups\[0\]\.maxSize: is too small: .* need 50 g6\.xlarge nodes, got 4\. Raise maxSize to at least 50/);
    });
});

describe("planPlatform: what the platform creates for the caches", () => {
    const raw = (cluster: Record<string, unknown>, cache: Record<string, unknown> | undefined, withAdapter = false): Record<string, unknown> => ({
        owner: "u-1",
        cluster,
        nodeGroups: [
            { name: "gpu", instanceType: "g6.xlarge", minSize: 0, maxSize: 2 },
            { name: "other", instanceType: "g6.xlarge", minSize: 0, maxSize: 2 },
        ],
        services: [
            { name: "chat", model: "Qwen/Qwen3-8B", instances: 1, nodeGroup: "gpu", maxModelLen: 8192, ...(cache ? { modelCache: cache } : {}) },
            ...(withAdapter ? [{ name: "tuned", base: "chat", adapter: "org/tuned-lora", rank: 16 }] : []),
        ],
        apiKeys: [{ name: "app", services: ["*"] }],
    });
    const plan = (r: Record<string, unknown>) => planOrThrow(parseConfig(r, { stack: "test" }));
    const eks = { kind: "eks", name: "ms" };

    it("the platform's EFS exactly when a created EKS cluster has a base service on the platform's shared class", () => {
        expect(plan(raw(eks, { kind: "shared" })).managedEfs).toBe(true);
        expect(plan(raw(eks, { kind: "shared" }, true)).managedEfs).toBe(true);
        expect(plan(raw(eks, { kind: "shared", storageClass: "fsx" })).managedEfs).toBe(false);
        expect(plan(raw(eks, { kind: "node-local" })).managedEfs).toBe(false);
        // One base on the platform's class is enough, beside another that is not.
        const mixed = raw(eks, { kind: "shared" });
        (mixed.services as Record<string, unknown>[]).push({ name: "local", model: "Qwen/Qwen3-8B", instances: 1, nodeGroup: "other", maxModelLen: 8192, modelCache: { kind: "node-local" } });
        expect(plan(mixed).managedEfs).toBe(true);
        expect(plan(raw({ ...eks, create: false }, { kind: "shared", storageClass: "model-services-efs" })).managedEfs).toBe(false);
        expect(plan(raw({ kind: "kubeconfig", kubeconfig: "k" }, { kind: "shared", storageClass: "model-services-efs" })).managedEfs).toBe(false);
    });

    it("RAID0 instance store on exactly the groups whose base services keep a node-local cache", () => {
        const groups = (p: ReturnType<typeof plan>) => p.nodeGroups.filter((g) => g.kind === "gpu").map((g) => [g.name, g.localStorage]);
        expect(groups(plan(raw(eks, { kind: "node-local" }, true)))).toEqual([
            ["gpu", "RAID0"],
            ["other", undefined],
        ]);
        expect(groups(plan(raw(eks, { kind: "shared" }, true)))).toEqual([
            ["gpu", undefined],
            ["other", undefined],
        ]);
    });

    it("an adapter's LoRA plan is its base's; the adapter takes the base's GPUs and startup budget", () => {
        const p = plan(raw(eks, { kind: "node-local" }, true));
        const [base, adapter] = p.services;
        expect(base.lora?.modules).toEqual([{ name: "u-1/tuned", path: "org/tuned-lora", rank: 16 }]);
        expect(adapter.lora).toBeUndefined();
        expect(adapter.gpus).toBe(base.gpus);
        expect(adapter.startup).toEqual(base.startup);
        expect(plan(raw(eks, { kind: "node-local" })).services[0].lora).toBeUndefined();
    });
});

describe("planPlatform: two bases, each with an adapter", () => {
    const revision = "0123456789abcdef0123456789abcdef01234567";
    const raw = (): Record<string, unknown> => ({
        owner: "u-1",
        cluster: { kind: "eks", name: "ms" },
        nodeGroups: [{ name: "gpu", instanceType: "g6.12xlarge", minSize: 0, maxSize: 2 }],
        services: [
            // fp8 halves the weights, so the adapter's own estimate (no quantization) would differ.
            { name: "chat", model: "Qwen/Qwen3-8B", instances: 1, nodeGroup: "gpu", maxModelLen: 8192, modelCache: { kind: "node-local" }, quantization: "fp8", env: { VLLM_LOGGING_LEVEL: "DEBUG" } },
            { name: "big", model: "Qwen/Qwen3-32B", instances: 1, nodeGroup: "gpu", maxModelLen: 8192, modelCache: { kind: "node-local" } },
            { name: "tuned", base: "chat", adapter: "org/tuned-lora", revision, rank: 16 },
            { name: "big-tuned", base: "big", adapter: "org/big-lora", rank: 32 },
        ],
        apiKeys: [{ name: "app", services: ["*"] }],
    });
    let services: Record<string, PlatformPlan["services"][number]>;
    beforeEach(() => {
        services = Object.fromEntries(planOrThrow(parseConfig(raw(), { stack: "test" })).services.map((s) => [s.name, s]));
    });

    it("each base serves its own adapters only; a pinned adapter by its cached snapshot, an unpinned one by its id", () => {
        expect(services.chat.lora?.modules).toEqual([{ name: "u-1/tuned", path: `/models/hub/models--org--tuned-lora/snapshots/${revision}`, rank: 16 }]);
        expect(services.big.lora?.modules).toEqual([{ name: "u-1/big-tuned", path: "org/big-lora", rank: 32 }]);
    });

    it("an adapter takes its own base's GPUs (chosen by the planner) and startup budget, not its own estimate", () => {
        expect(services.big.gpus).toBe(4);
        expect(services["big-tuned"]).toMatchObject({ gpus: 4, gpusChosen: true, startup: services.big.startup });
        expect(services.tuned).toMatchObject({ gpus: 1, startup: services.chat.startup });
        expect(services.chat.startup).not.toEqual(services.big.startup);
    });

    it("copies each service's env", () => {
        expect(services.chat.env).toEqual({ VLLM_LOGGING_LEVEL: "DEBUG" });
        expect(services.big.env).toEqual({});
    });
});
