import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { projectRoot } from "../helpers/platform";
import { createStack, E2eStack, eventually, gatewayConfigText, gatewaySecrets, kubeconfig, kubectl, namespace, plannedSteps, policyPacks, removeStack, runningPods, secretToDir } from "./harness";

/**
 * Fine-tuned adapters and a shared model cache on the real engine, provider and API server,
 * with simulated GPU nodes (KWOK). What is simulated: KWOK runs no container, so the preload
 * Job's pod is completed by KWOK's default pod stage (kwokctl's "fast" stages complete a
 * Running pod owned by a Job) and the real Job controller marks the Job Complete; no weights
 * are downloaded and no init container runs. The ReadWriteMany volume is a static
 * PersistentVolume of a no-provisioner StorageClass, bound by the real controller-manager.
 */

const revision = "0123456789abcdef0123456789abcdef01234567";
const storageClass = "rwx-sim";
let e2e: E2eStack;

function config(adapters: { name: string; adapter: string; rank: number }[]): Record<string, any> {
    return {
        owner: "u-e2e",
        cluster: { kind: "kubeconfig", kubeconfig, simulated: true },
        nodeGroups: [{ name: "gpu-l4", instanceType: "g6.xlarge", minSize: 0, maxSize: 4, modelCache: { kind: "shared", storageClass, sizeGiB: 100 } }],
        services: [{ name: "chat", model: "Qwen/Qwen3-8B", revision, instances: 2, maxModelLen: 8192 }, ...adapters.map((a) => ({ ...a, revision, base: "chat" }))],
        apiKeys: [
            { name: "app", services: ["*"] },
            { name: "support-team", services: ["support"] },
        ],
        gateway: { replicas: 1 },
    };
}
const support = { name: "support", adapter: "acme/qwen3-8b-support-lora", rank: 16 };
const sql = { name: "sql", adapter: "acme/qwen3-8b-sql-lora", rank: 32 };
const legal = { name: "legal", adapter: "acme/qwen3-8b-legal-lora", rank: 64 };

const podUids = (): string[] => runningPods("chat").map((p) => p.metadata.uid).sort();
const deployment = () => kubectl("get", "deployment", "vllm-chat", "-n", namespace, "-o", "json");
const jobs = (): any[] => kubectl("get", "jobs", "-n", namespace, "-o", "json").items;
/** The adapters the base's vLLM is told to serve: the access names in --lora-modules. */
function servedAdapters(): string[] {
    const args: string[] = deployment().spec.template.spec.containers[0].args;
    const at = args.indexOf("--lora-modules");
    return at < 0 ? [] : args.slice(at + 1).filter((a) => a.startsWith("{")).map((a) => JSON.parse(a).name);
}
async function refreshedServices(): Promise<any[]> {
    await e2e.stack.up({ refresh: true });
    return (await e2e.stack.outputs()).services.value;
}

beforeAll(async () => {
    // A ReadWriteMany StorageClass as a kubeconfig cluster would have one (here: a static volume).
    const objects = {
        apiVersion: "v1",
        kind: "List",
        items: [
            { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: storageClass }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "Immediate" },
            {
                apiVersion: "v1",
                kind: "PersistentVolume",
                metadata: { name: `${storageClass}-0` },
                spec: { storageClassName: storageClass, capacity: { storage: "100Gi" }, accessModes: ["ReadWriteMany"], hostPath: { path: "/srv/model-cache" } },
            },
        ],
    };
    execFileSync("kubectl", ["--kubeconfig", kubeconfig, "apply", "-f", "-"], { input: JSON.stringify(objects) });
    e2e = await createStack("models", config([support, sql]));
}, 120_000);

afterAll(async () => {
    if (e2e) {
        await e2e.stack.destroy().catch(() => undefined);
        removeStack(e2e);
    }
    execFileSync("kubectl", ["--kubeconfig", kubeconfig, "delete", "pv", `${storageClass}-0`, "--ignore-not-found"]);
    execFileSync("kubectl", ["--kubeconfig", kubeconfig, "delete", "storageclass", storageClass, "--ignore-not-found"]);
});

describe("LoRA adapters as services on a shared model cache", () => {
    it("1. a base with two adapters comes up: one Deployment, three services, the cache preloaded before the pods start", async () => {
        const result = await e2e.stack.up({ policyPacks });
        expect(result.summary.result).toBe("succeeded");
        await eventually("two chat pods running", () => runningPods("chat").length === 2);

        const services = await refreshedServices();
        expect(services.map((s) => [s.name, s.accessName, s.base ?? null, s.status])).toEqual([
            ["chat", "u-e2e/chat", null, "Running 2/2"],
            ["support", "u-e2e/support", "chat", "Running 2/2"],
            ["sql", "u-e2e/sql", "chat", "Running 2/2"],
        ]);
        expect(new Set(services.map((s) => s.serviceId)).size).toBe(3);
        expect(services[1].examples.curl).toContain('"model":"u-e2e/support"');
        expect(kubectl("get", "deployments", "-n", namespace, "-o", "json").items.map((d: any) => d.metadata.name).sort()).toEqual(["model-gateway", "vllm-chat"]);
        expect(servedAdapters()).toEqual(["u-e2e/sql", "u-e2e/support"]);

        // The gateway routes each adapter's access name to the base's pods.
        const envoy = gatewayConfigText();
        for (const name of ["u-e2e/chat", "u-e2e/support", "u-e2e/sql"]) {
            expect(envoy).toContain(`"${name}"`);
        }
        expect(envoy.match(/vllm-chat\.model-services\.svc\.cluster\.local/g)?.length).toBe(3);
        execFileSync(path.join(projectRoot, "scripts/envoy-validate.sh"), [secretToDir(...gatewaySecrets)], { stdio: "inherit" });

        // The cache volume: bound, mounted read-only by the serving pods, which run offline.
        const claim = kubectl("get", "pvc", "model-cache-gpu-l4", "-n", namespace, "-o", "json");
        expect([claim.status.phase, claim.spec.accessModes, claim.spec.storageClassName]).toEqual(["Bound", ["ReadWriteMany"], storageClass]);
        const podSpec = deployment().spec.template.spec;
        expect(podSpec.volumes.find((v: any) => v.name === "model-cache").persistentVolumeClaim).toEqual({ claimName: "model-cache-gpu-l4", readOnly: true });
        expect(podSpec.containers[0].volumeMounts.find((m: any) => m.name === "model-cache")).toEqual({ name: "model-cache", mountPath: "/models", readOnly: true });
        expect(podSpec.containers[0].env.find((e: any) => e.name === "HF_HUB_OFFLINE").value).toBe("1");
        expect(podSpec.initContainers.map((c: any) => c.name)).toEqual(["wait-for-model"]);

        // The preload Job ran to completion before the Deployment (and so any serving pod) existed.
        const [job] = jobs();
        expect(job.status.succeeded).toBe(1);
        expect(job.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe("model-cache-gpu-l4");
        expect(Date.parse(deployment().metadata.creationTimestamp)).toBeGreaterThanOrEqual(Date.parse(job.status.completionTime));
        expect(JSON.parse(job.spec.template.spec.containers[0].command[3]).map((i: any) => i.repo)).toEqual(["Qwen/Qwen3-8B", "acme/qwen3-8b-support-lora", "acme/qwen3-8b-sql-lora"]);
    });

    it("2. adding an adapter is a config edit: the new weights are preloaded, then the base's pods roll to serve it", async () => {
        const before = podUids();
        const ids = Object.fromEntries((await e2e.stack.outputs()).services.value.map((s: any) => [s.name, s.serviceId]));
        e2e.setConfig(config([support, sql, legal]));
        const { steps } = await plannedSteps(e2e);
        expect(steps).toEqual(
            expect.arrayContaining([
                "create model-services:index:ModelAdapter model-services-legal",
                "create random:index/randomId:RandomId model-services-legal-id",
                "update kubernetes:apps/v1:Deployment model-services-chat-deployment",
            ]),
        );
        // A new set of weights is a new preload Job (a Job's pod template cannot change).
        expect(steps).toContain("replace kubernetes:batch/v1:Job model-services-chat-preload");

        await e2e.stack.up({ policyPacks });
        await eventually("the base's pods replaced", () => podUids().length === 2 && podUids().every((uid) => !before.includes(uid)), 120_000);
        expect(servedAdapters()).toEqual(["u-e2e/legal", "u-e2e/sql", "u-e2e/support"]);
        const services = await refreshedServices();
        expect(services.map((s) => s.name)).toEqual(["chat", "support", "sql", "legal"]);
        for (const name of ["chat", "support", "sql"]) {
            expect(services.find((s) => s.name === name).serviceId).toBe(ids[name]);
        }
        expect(gatewayConfigText()).toContain('"u-e2e/legal"');
        expect(jobs().map((j) => [j.status.succeeded, JSON.parse(j.spec.template.spec.containers[0].command[3]).length])).toEqual([[1, 4]]);
    });

    it("3. removing an adapter: its route and ID go, the base's pods roll once more, the others keep their IDs", async () => {
        const before = podUids();
        const ids = Object.fromEntries((await e2e.stack.outputs()).services.value.map((s: any) => [s.name, s.serviceId]));
        e2e.setConfig(config([support, legal]));
        await e2e.stack.up({ policyPacks });
        await eventually("the base's pods replaced", () => podUids().length === 2 && podUids().every((uid) => !before.includes(uid)), 120_000);
        expect(servedAdapters()).toEqual(["u-e2e/legal", "u-e2e/support"]);
        const services = await refreshedServices();
        expect(services.map((s) => [s.name, s.serviceId])).toEqual([
            ["chat", ids.chat],
            ["support", ids.support],
            ["legal", ids.legal],
        ]);
        expect(gatewayConfigText()).not.toContain('"u-e2e/sql"');
    });

    it("4. bad adapter configs fail before any change, each with its path, value and fix", async () => {
        const state = JSON.stringify((await e2e.stack.exportStack()).deployment.resources);
        const bad = config([support, legal]);
        bad.services.push(
            { name: "orphan", base: "chta", adapter: "acme/x-lora", rank: 8 },
            { name: "nested", base: "support", adapter: "acme/y-lora", rank: 8 },
            { name: "stream", model: "s3://acme-models/qwen3-8b", instances: 0 },
        );
        bad.services[0].maxLoraRank = 32;
        e2e.setConfig(bad);
        const error = await e2e.stack.up().then(
            () => undefined,
            (e: Error) => e.message,
        );
        expect(error).toContain('services[2].rank: is above the LoRA rank limit of base "chat" (maxLoraRank 32), got 64. Raise services[0].maxLoraRank to 64, or use an adapter of rank ≤ 32.');
        expect(error).toContain('services[3].base: names no service, got "chta". Did you mean "chat"?');
        expect(error).toContain('services[4].base: names an adapter service (its base is "chat"); adapters do not stack, got "support". Set base to "chat".');
        expect(error).toContain('services[5].model: is an S3 URI but no S3 access is configured, got "s3://acme-models/qwen3-8b".');
        expect(JSON.stringify((await e2e.stack.exportStack()).deployment.resources)).toBe(state);
        e2e.setConfig(config([support, legal]));
    });
});
