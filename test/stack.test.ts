import { describe, expect, it } from "vitest";
import { compareRuns, PlatformRun, runStack, stackConfig } from "./helpers/platform";

const deployment = "kubernetes:apps/v1:Deployment";
const nodeGroup = "aws:eks/nodeGroup:NodeGroup";

/** Every registered resource of one model service (the component and its children). */
function serviceResources(run: PlatformRun, service: string): string[] {
    const prefix = `model-services-${service}`;
    return run.registered.filter((r) => r.name === prefix || r.name.startsWith(`${prefix}-`)).map((r) => `${r.type}::${r.name}`).sort();
}

describe.each(["local", "dev"])("the shipped %s stack", (stack) => {
    it("deploys every service, key and node group with the outputs DESIGN.md lists", async () => {
        const raw = stackConfig(stack);
        const run = await runStack(raw, { stack });
        const deployments = run.registered.filter((r) => r.type === deployment && r.name.startsWith("model-services-") && r.inputs.metadata.name.startsWith("vllm-"));
        expect(deployments.map((d) => d.inputs.metadata.name).sort()).toEqual(raw.services.map((s: any) => `vllm-${s.name}`).sort());

        expect(run.outputs.endpoint).toMatch(/\/v1$/);
        // Secrets change in place (key rotation, routes): no replacement, no gateway roll.
        const providers = run.registered.filter((r) => r.type === "pulumi:providers:kubernetes");
        // The simulated cluster's nodes go through a client-side-apply provider of their own (SSA drops a Node's status).
        expect(providers.map((p) => [p.name, p.inputs.enableSecretMutable, p.inputs.enableServerSideApply]).sort()).toEqual([
            ["model-services-k8s", "true", "true"],
            ...(stack === "local" ? [["model-services-k8s-nodes", undefined, undefined]] : []),
        ]);
        expect(run.outputs.services.map((s) => s.accessName)).toEqual(raw.services.map((s: any) => `u-8105f7322477/${s.name}`));
        for (const s of run.outputs.services) {
            expect(Object.keys(s).sort()).toEqual(["accessName", "baseModel", "displayName", "examples", "gpusPerInstance", "instances", "name", "nodeGroup", "pricePerHourUsd", "serviceId", "status", "task", "totalGpus"]);
            expect(s.serviceId).toMatch(/^ms-[0-9a-f]{12}$/);
            expect(s.status).toBe(`Running ${s.instances}/${s.instances}`);
            expect(s.examples.curl).toContain(`"model":"${s.accessName}"`);
            expect(s.examples.python).toContain(`model="${s.accessName}"`);
            expect(s.examples.node).toContain(`"model": "${s.accessName}"`);
        }
        expect(Object.keys(run.outputs.apiKeys).sort()).toEqual(raw.apiKeys.map((k: any) => k.name).sort());
        expect(run.secretOutputs).toEqual({ endpoint: false, services: false, apiKeys: true, nodeGroups: false, capacity: false });
        expect(run.outputs.services.reduce((n, s) => n + s.totalGpus, 0)).toBe(run.outputs.capacity.requestedGpus);
        expect(run.outputs.capacity.pricePerHourUsd).toBeGreaterThan(0);
        expect(run.outputs.capacity.totalGpus).toBe(run.outputs.nodeGroups.reduce((n, g) => n + g.desiredSize * g.gpusPerNode, 0));
        expect(run.outputs.nodeGroups.map((g) => Object.keys(g).sort())).toEqual([...raw.nodeGroups, "system"].map(() => ["desiredSize", "gpusPerNode", "instanceType", "kind", "maxSize", "minSize", "name"]));
        expect(run.outputs.nodeGroups.map((g) => `${g.name} ${g.kind} ${g.instanceType} ${g.desiredSize}`)).toEqual(["gpu-l4 gpu g6.xlarge 1", "gpu-l40s gpu g6e.12xlarge 1", "system cpu m7i.large 2"]);
    });

    it("never puts a key value in a plain output or outside a Secret", async () => {
        const run = await runStack(stackConfig(stack), { stack });
        const keys = Object.values(run.outputs.apiKeys);
        expect(keys.length).toBeGreaterThan(0);
        const plainOutputs = JSON.stringify([run.outputs.endpoint, run.outputs.services, run.outputs.nodeGroups]);
        for (const key of keys) {
            expect(plainOutputs).not.toContain(key);
            for (const r of run.registered) {
                const text = JSON.stringify(r.inputs);
                if (!text.includes(key)) {
                    continue;
                }
                // Only Secrets (Kubernetes or AWS) may hold a key, and only as a Pulumi secret.
                expect(["kubernetes:core/v1:Secret", "aws:secretsmanager/secretVersion:SecretVersion"], `${r.type} ${r.name}`).toContain(r.type);
                const secretText = JSON.stringify(r.secretPaths.map((p) => p.split(/[.[]/).reduce((v: any, k) => v?.[k.replace("]", "")], r.inputs)));
                expect(secretText, `${r.name}: key outside its secret inputs`).toContain(key);
            }
        }
        expect(run.registered.filter((r) => r.type === "kubernetes:core/v1:ConfigMap").map((r) => JSON.stringify(r.inputs)).join()).not.toMatch(/sk-/);
    });
});

describe("lifecycle as config diffs (dev stack, EKS)", () => {
    it("scaling 1 → 3 changes only replicas and the node group's desired size", async () => {
        const raw = stackConfig("dev");
        const before = await runStack(raw, { stack: "dev" });
        raw.services[0].instances = 3;
        const after = await runStack(raw, { stack: "dev" });
        const { added, removed, changed } = compareRuns(before.registered, after.registered);
        expect(added).toEqual([]);
        expect(removed).toEqual([]);
        expect(changed).toEqual({
            [`${deployment}::model-services-test-deployment`]: ["spec.replicas"],
            [`${nodeGroup}::model-services-gpu-l4-nodes`]: ["scalingConfig.desiredSize"],
        });
        expect(after.outputs.services[0].serviceId).toBe(before.outputs.services[0].serviceId);
        expect(after.outputs.nodeGroups.find((g) => g.name === "gpu-l4").desiredSize).toBe(3);
    });

    it("removing a service removes exactly its resources and its route", async () => {
        const raw = stackConfig("dev");
        const before = await runStack(raw, { stack: "dev" });
        const visionResources = serviceResources(before, "vision");
        expect(visionResources.length).toBeGreaterThanOrEqual(5);
        raw.services = raw.services.filter((s: any) => s.name !== "vision");
        raw.apiKeys[0].services = ["test"];
        const after = await runStack(raw, { stack: "dev" });
        const { added, removed, changed } = compareRuns(before.registered, after.registered);
        expect(added).toEqual([]);
        expect(removed).toEqual(visionResources);
        // What else may change: the gateway's routes and the node group that hosted it.
        for (const key of Object.keys(changed)) {
            expect(key).toMatch(/gateway|gpu-l40s-(nodes|role)/);
        }
        expect(Object.keys(changed).some((k) => k.includes("gateway"))).toBe(true);
        expect(after.outputs.services.map((s) => s.name)).toEqual(["test", "qwen-32b"]);
    });

    it("instances: 0 stops a service and keeps its ID and every key", async () => {
        const raw = stackConfig("dev");
        const before = await runStack(raw, { stack: "dev" });
        raw.services[0].instances = 0;
        const after = await runStack(raw, { stack: "dev" });
        const { added, removed } = compareRuns(before.registered, after.registered);
        expect(added).toEqual([]);
        expect(removed).toEqual([]);
        const stopped = after.outputs.services.find((s) => s.name === "test");
        expect(stopped.status).toBe("Stopped");
        expect(stopped.serviceId).toBe(before.outputs.services.find((s) => s.name === "test").serviceId);
        expect(after.outputs.apiKeys).toEqual(before.outputs.apiKeys);
        expect(after.outputs.nodeGroups.find((g) => g.name === "gpu-l4").desiredSize).toBe(0);
    });

    it("a bad edit fails before any resource is registered", async () => {
        const raw = stackConfig("dev");
        raw.services[1].name = "test";
        const error = await runStack(raw, { stack: "dev" }).catch((e) => e);
        expect(error.message).toMatch(/services\[1\]\.name: duplicates services\[0\]\.name/);
        expect(error.registered).toEqual([]);
    });
});
