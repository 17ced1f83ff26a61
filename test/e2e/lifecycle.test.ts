import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";
import { projectRoot } from "../helpers/platform";
import { createStack, E2eStack, eventually, kubectl, namespace, nodeCounts, plannedSteps, pods, policyPacks, recoverInterruptedUpdate, removeStack, runningPods, secretToDir } from "./harness";

/**
 * The whole lifecycle on the real engine, the real Kubernetes provider and API server, and
 * simulated GPU nodes (KWOK). The steps build on each other, in order.
 */

let e2e: E2eStack;

const gpuOf = (pod: any): number => Number(pod.spec.containers[0].resources.limits?.["nvidia.com/gpu"] ?? 0);
const nodeGroupOf = (nodeName: string): string => kubectl("get", "node", nodeName, "-o", "json").metadata.labels["model-services.io/node-group"];
const secretData = (name: string): Record<string, string> =>
    Object.fromEntries(Object.entries(kubectl("get", "secret", name, "-n", namespace, "-o", "json").data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), "base64").toString("utf8")]));
const podUids = (service: string): string[] => runningPods(service).map((p) => p.metadata.uid).sort();

function objectsOf(service: string): string[] {
    return ["deployment", "service", "poddisruptionbudget"].flatMap((kind) =>
        kubectl("get", kind, "-n", namespace, "-l", `model-services.io/service=${service}`, "-o", "json").items.map((o: any) => `${kind}/${o.metadata.name}`),
    );
}

/** Everything observable of the namespace: objects with their resource versions. */
function clusterSnapshot(): string[] {
    return kubectl("get", "deployments,services,secrets,poddisruptionbudgets,pods", "-n", namespace, "-o", "json")
        .items.map((o: any) => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`)
        .sort();
}

/**
 * The stack's outputs after `up --refresh`: the engine's rollout wait may end before every
 * replica reports ready, so the live status is read back as a user would (`pulumi up --refresh`).
 */
async function refreshedOutputs() {
    await e2e.stack.up({ refresh: true });
    return e2e.stack.outputs();
}

beforeAll(async () => {
    e2e = await createStack();
});

afterAll(async () => {
    if (e2e) {
        // The stack owns the simulated nodes: destroy it so the next file starts on an empty cluster.
        await e2e.stack.destroy();
        removeStack(e2e);
    }
});

describe("pulumi up, scale, stop, delete, destroy on a simulated GPU cluster", () => {
    it("1. up from empty: services Running on their node groups, gateway up, routes and keys in Secrets", async () => {
        const result = await e2e.stack.up({ policyPacks });
        expect(result.summary.result).toBe("succeeded");
        expect(result.stdout).toMatch(/Policies:[\s\S]*model-services/);
        const outputs = await refreshedOutputs();
        const services: any[] = outputs.services.value;
        expect(services.map((s) => s.name)).toEqual(e2e.raw.services.map((s: any) => s.name));

        for (const svc of e2e.raw.services) {
            await eventually(`${svc.name} running`, () => runningPods(svc.name).length === svc.instances);
            for (const pod of runningPods(svc.name)) {
                expect(gpuOf(pod)).toBe(svc.gpus ?? 1);
                expect(nodeGroupOf(pod.spec.nodeName)).toBe(svc.nodeGroup);
            }
            const row = services.find((s) => s.name === svc.name);
            expect(row.status).toBe(`Running ${svc.instances}/${svc.instances}`);
            const deployment = kubectl("get", "deployment", `vllm-${svc.name}`, "-n", namespace, "-o", "json");
            expect(deployment.metadata.labels["model-services.io/service-id"]).toBe(row.serviceId);
        }
        await eventually("gateway running", () => pods().some((p) => p.metadata.labels?.["app.kubernetes.io/component"] === "api-gateway" && p.status.phase === "Running"));

        const keys = secretData("model-services-api-keys");
        expect(Object.keys(keys).sort()).toEqual(e2e.raw.apiKeys.map((k: any) => k.name).sort());
        expect(outputs.apiKeys.secret).toBe(true);
        expect(outputs.apiKeys.value).toEqual(keys);

        const gatewayConfig = Object.values(secretData("model-gateway-config")).join("\n");
        for (const svc of services) {
            expect(gatewayConfig.split(`"${svc.accessName}"`).length - 1, svc.accessName).toBeGreaterThanOrEqual(1);
        }
        // The config Envoy reads is the one the validator accepts.
        execFileSync(path.join(projectRoot, "scripts/envoy-validate.sh"), [secretToDir("model-gateway-config")], { stdio: "inherit" });
        expect(kubectl("get", "configmaps", "-n", namespace, "-o", "json").items.map((c: any) => JSON.stringify(c.data ?? {})).join()).not.toMatch(/sk-/);
    });

    it("2. scale one service 1 → 3: only replicas and its group's nodes change, its ID stays, others are not restarted", async () => {
        const otherUids = { vision: podUids("vision"), "qwen-32b": podUids("qwen-32b") };
        const before = (await e2e.stack.outputs()).services.value;
        const next = structuredClone(e2e.raw);
        next.services.find((s: any) => s.name === "test").instances = 3;
        e2e.setConfig(next);

        const { steps, updates } = await plannedSteps(e2e);
        // gpu-l4 runs 1-GPU nodes: two more instances need two more nodes, added by the same up.
        expect(steps).toEqual([
            "create kubernetes:core/v1:Node model-services-gpu-l4-node-1",
            "create kubernetes:core/v1:Node model-services-gpu-l4-node-2",
            "update kubernetes:apps/v1:Deployment model-services-test-deployment",
        ]);
        expect(updates["kubernetes:apps/v1:Deployment model-services-test-deployment"]).toEqual(["spec.replicas"]);

        await e2e.stack.up({ policyPacks });
        await eventually("3 test pods running", () => runningPods("test").length === 3);
        const after = (await refreshedOutputs()).services.value;
        expect(after.find((s: any) => s.name === "test").serviceId).toBe(before.find((s: any) => s.name === "test").serviceId);
        expect(after.find((s: any) => s.name === "test").status).toBe("Running 3/3");
        expect({ vision: podUids("vision"), "qwen-32b": podUids("qwen-32b") }).toEqual(otherUids);
    });

    it("3. scaling past the GPUs of the node group fails in the planner, before any change", async () => {
        const snapshot = clusterSnapshot();
        const next = structuredClone(e2e.raw);
        next.services.find((s: any) => s.name === "test").instances = 9;
        e2e.setConfig(next);
        const started = Date.now();
        await expect(e2e.stack.up()).rejects.toThrow(/nodeGroups\[0\]\.maxSize: is too small: the services placed on "gpu-l4" \(test 9×1\) need 9 g6\.xlarge nodes, got 4/);
        expect(Date.now() - started).toBeLessThan(120_000);
        expect(clusterSnapshot()).toEqual(snapshot);
        next.services.find((s: any) => s.name === "test").instances = 3;
        e2e.setConfig(next);
    });

    it("4. a bad edit (duplicate names) fails before any change; cluster and state stay as they were", async () => {
        const snapshot = clusterSnapshot();
        const state = JSON.stringify((await e2e.stack.exportStack()).deployment.resources);
        const next = structuredClone(e2e.raw);
        next.services[1].name = next.services[0].name;
        e2e.setConfig(next);
        await expect(e2e.stack.up()).rejects.toThrow(/services\[1\]\.name: duplicates services\[0\]\.name/);
        expect(clusterSnapshot()).toEqual(snapshot);
        expect(JSON.stringify((await e2e.stack.exportStack()).deployment.resources)).toBe(state);
        next.services[1].name = "vision";
        e2e.setConfig(next);
    });

    it("5. instances: 0 stops a service and keeps its ID and key scope; back to 1 restarts it", async () => {
        const idBefore = (await e2e.stack.outputs()).services.value.find((s: any) => s.name === "vision").serviceId;
        const next = structuredClone(e2e.raw);
        next.services.find((s: any) => s.name === "vision").instances = 0;
        e2e.setConfig(next);
        await e2e.stack.up();
        await eventually("vision pods gone", () => pods("vision").length === 0);
        let row = (await e2e.stack.outputs()).services.value.find((s: any) => s.name === "vision");
        expect(row.status).toBe("Stopped");
        expect(row.serviceId).toBe(idBefore);
        expect(Object.values(secretData("model-gateway-config")).join()).toContain(row.accessName);

        next.services.find((s: any) => s.name === "vision").instances = 1;
        e2e.setConfig(next);
        await e2e.stack.up();
        await eventually("vision running again", () => runningPods("vision").length === 1);
        row = (await refreshedOutputs()).services.value.find((s: any) => s.name === "vision");
        expect(row.serviceId).toBe(idBefore);
        expect(row.status).toBe("Running 1/1");
    });

    it("6. removing a service deletes exactly its resources; the others are untouched", async () => {
        const otherUids = { test: podUids("test"), vision: podUids("vision") };
        const next = structuredClone(e2e.raw);
        next.services = next.services.filter((s: any) => s.name !== "qwen-32b");
        e2e.setConfig(next);

        const { steps } = await plannedSteps(e2e);
        const deletes = steps.filter((s) => s.startsWith("delete"));
        expect(deletes, steps.join("\n")).toEqual([
            "delete kubernetes:apps/v1:Deployment model-services-qwen-32b-deployment",
            "delete kubernetes:core/v1:Service model-services-qwen-32b-service",
            "delete kubernetes:policy/v1:PodDisruptionBudget model-services-qwen-32b-pdb",
            "delete model-services:index:ModelService model-services-qwen-32b",
            "delete random:index/randomId:RandomId model-services-qwen-32b-id",
        ]);
        // Besides the deletions only the gateway's routes change.
        expect(steps.filter((s) => !s.startsWith("delete")).every((s) => s.includes("gateway"))).toBe(true);

        await e2e.stack.up();
        await eventually("qwen-32b pods gone", () => pods("qwen-32b").length === 0);
        expect(objectsOf("qwen-32b")).toEqual([]);
        expect(Object.values(secretData("model-gateway-config")).join()).not.toContain("/qwen-32b");
        expect({ test: podUids("test"), vision: podUids("vision") }).toEqual(otherUids);
    });

    it("7. destroy leaves the namespace and every object gone; up from empty works again", async () => {
        await e2e.stack.destroy();
        await eventually("namespace gone", () => !kubectl("get", "namespaces", "-o", "json").items.some((n: any) => n.metadata.name === namespace), 120_000);
        expect(kubectl("get", "daemonsets", "-n", "kube-system", "-o", "json").items.map((d: any) => d.metadata.name)).not.toContain("nvidia-device-plugin");
        // The simulated nodes were the stack's: none is left.
        expect(nodeCounts()).toEqual({});

        const result = await e2e.stack.up();
        expect(result.summary.result).toBe("succeeded");
        for (const svc of e2e.raw.services) {
            await eventually(`${svc.name} running after re-create`, () => runningPods(svc.name).length === svc.instances);
        }
    });

    it("8. an up killed part-way, then re-run, converges to the config", async () => {
        const next = structuredClone(e2e.raw);
        next.services.push({ name: "extra", model: "Qwen/Qwen3-0.6B", instances: 1, nodeGroup: "gpu-l4", maxModelLen: 8192 });
        next.apiKeys[1].services = ["*"];
        e2e.setConfig(next);

        // The CLI as a user runs it, killed (SIGKILL, no clean-up) once the new Deployment exists.
        const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--stack", "local", "--non-interactive"], {
            cwd: e2e.workDir,
            env: { ...process.env, ...e2e.env },
            detached: true,
            stdio: ["ignore", "ignore", "inherit"],
        });
        const exited = new Promise((resolve) => child.on("exit", resolve));
        await eventually("the new Deployment created", () => kubectl("get", "deployments", "-n", namespace, "-o", "json").items.some((d: any) => d.metadata.name === "vllm-extra"), 120_000);
        process.kill(-child.pid!, "SIGKILL");
        await exited;

        // Re-run: clear what the killed engine left (its lock, pending operations), then up.
        await recoverInterruptedUpdate(e2e);
        const result = await e2e.stack.up({ refresh: true });
        expect(result.summary.result).toBe("succeeded");
        await eventually("extra running", () => runningPods("extra").length === 1);
        const outputs = await e2e.stack.outputs();
        expect(outputs.services.value.map((s: any) => s.name)).toContain("extra");
        const pending = (await e2e.stack.exportStack()).deployment.pending_operations ?? [];
        expect(pending).toEqual([]);
        const again = await e2e.stack.preview();
        expect(again.changeSummary).not.toHaveProperty("create");
        expect(again.changeSummary).not.toHaveProperty("update");
        expect(again.changeSummary).not.toHaveProperty("delete");
    });
});
