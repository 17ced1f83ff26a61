import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../helpers/platform";
import {
    backendLocks,
    createStack,
    E2eStack,
    eventually,
    filesUnder,
    kubectl,
    nodeCounts,
    namespace,
    plannedSteps,
    previewEvents,
    pods,
    policyPacks,
    recoverInterruptedUpdate,
    removeStack,
    runningPods,
    secretToDir,
    gatewaySecrets,
    storedCheckpoint,
} from "./harness";

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

/** A service's Deployment as the API server has it. */
const deploymentOf = (service: string): any => kubectl("get", "deployment", `vllm-${service}`, "-n", namespace, "-o", "json");

/** The status a user should see, computed from the cluster's own Deployment (ready pods of desired). */
function clusterStatus(service: string): string {
    const d = deploymentOf(service);
    const desired = d.spec.replicas;
    const ready = d.status?.readyReplicas ?? 0;
    return desired === 0 ? "Stopped" : `${ready >= desired ? "Running" : "Starting"} ${ready}/${desired}`;
}

/** Object → UID of every object of one model service. */
function uidsOf(service: string): Record<string, string> {
    return Object.fromEntries(
        ["deployment", "service", "poddisruptionbudget"].flatMap((kind) =>
            kubectl("get", kind, "-n", namespace, "-l", `model-services.io/service=${service}`, "-o", "json").items.map((o: any) => [`${kind}/${o.metadata.name}`, o.metadata.uid]),
        ),
    );
}

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
            const deployment = deploymentOf(svc.name);
            expect(deployment.spec.replicas).toBe(svc.instances);
            expect(deployment.status.readyReplicas).toBe(svc.instances);
            expect(row.status).toBe(clusterStatus(svc.name));
            expect(row.status).toBe(`Running ${svc.instances}/${svc.instances}`);
            expect(deployment.metadata.labels["model-services.io/service-id"]).toBe(row.serviceId);
            for (const pod of runningPods(svc.name)) {
                expect(pod.metadata.labels["model-services.io/service-id"]).toBe(row.serviceId);
            }
        }
        await eventually("gateway running", () => pods().some((p) => p.metadata.labels?.["app.kubernetes.io/component"] === "api-gateway" && p.status.phase === "Running"));

        const keys = secretData("model-services-api-keys");
        expect(Object.keys(keys).sort()).toEqual(e2e.raw.apiKeys.map((k: any) => k.name).sort());
        expect(outputs.apiKeys.secret).toBe(true);
        expect(outputs.apiKeys.value).toEqual(keys);

        // The real state on disk (checkpoint, history, backups): every key only as ciphertext.
        const stateFiles = filesUnder(e2e.backend);
        expect(stateFiles.length).toBeGreaterThan(0);
        for (const file of stateFiles) {
            const text = readFileSync(file, "utf8");
            for (const [name, value] of Object.entries(keys)) {
                expect(value.length, name).toBeGreaterThan(40);
                expect(text.includes(value), `key ${name} in plain text in ${file}`).toBe(false);
                expect(text.includes(Buffer.from(value).toString("base64")), `key ${name} base64-encoded in ${file}`).toBe(false);
            }
        }
        const stackOutputs = storedCheckpoint(e2e).checkpoint.latest.resources.find((r: any) => r.type === "pulumi:pulumi:Stack").outputs;
        expect(Object.keys(stackOutputs.apiKeys).sort()).toEqual(["4dabf18193072939515e22adb298388d", "ciphertext"]);

        const gatewayConfig = Object.values(secretData("model-gateway-config")).join("\n");
        for (const svc of services) {
            expect(gatewayConfig.split(`"${svc.accessName}"`).length - 1, svc.accessName).toBeGreaterThanOrEqual(1);
        }
        // The config Envoy reads is the one the validator accepts.
        execFileSync(path.join(projectRoot, "scripts/envoy-validate.sh"), [secretToDir(...gatewaySecrets)], { stdio: "inherit" });
        // The API server accepted the NetworkPolicy as written: only the gateway's pods reach the model pods.
        // (Nothing enforces it here: no network plugin runs beside KWOK.)
        const policy = kubectl("get", "networkpolicy", "model-pods-ingress", "-n", namespace, "-o", "json");
        expect(policy.spec).toEqual({
            podSelector: { matchExpressions: [{ key: "model-services.io/service", operator: "Exists" }] },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "envoy", "app.kubernetes.io/instance": "model-gateway" } } }], ports: [{ protocol: "TCP", port: 8000 }] }],
        });
        // The selectors meet the pods as they run: every vLLM pod is selected, the gateway's pods are the admitted peers.
        const vllmPods = pods().filter((p) => p.spec.containers.some((c: any) => c.image.includes("vllm")));
        expect(vllmPods.length).toBeGreaterThan(0);
        for (const pod of vllmPods) expect(pod.metadata.labels, pod.metadata.name).toHaveProperty("model-services.io/service");
        const gatewayPods = pods().filter((p) => p.metadata.labels?.["app.kubernetes.io/component"] === "api-gateway");
        expect(gatewayPods.length).toBeGreaterThan(0);
        for (const pod of gatewayPods) {
            expect(pod.metadata.labels).toMatchObject(policy.spec.ingress[0].from[0].podSelector.matchLabels);
            expect(pod.metadata.labels).not.toHaveProperty("model-services.io/service");
        }
        expect(kubectl("get", "configmaps", "-n", namespace, "-o", "json").items.map((c: any) => JSON.stringify(c.data ?? {})).join()).not.toMatch(/sk-/);
    });

    it("1b. the policy pack reports exactly the violation of a budget below the stack's GPUs, and the cluster stays as it was", async () => {
        const snapshot = clusterSnapshot();
        const config = path.join(e2e.workDir, "policy-config.json");
        writeFileSync(config, JSON.stringify({ "stack-gpu-budget": { maxGpus: 3 } }));
        const { status, output, events } = previewEvents(e2e, ...policyPacks.flatMap((p) => ["--policy-pack", p]), "--policy-pack-config", config);
        expect(status, output).not.toBe(0);
        const violations = events.flatMap((e) => (e.policyEvent ? [e.policyEvent] : []));
        // A stack policy's violation is reported against the stack itself.
        const stackUrn = "urn:pulumi:local::model-services::pulumi:pulumi:Stack::model-services-local";
        // The shipped stacks serve unpinned models: the advisory pin policy reports each vLLM Deployment too.
        const deploymentUrn = (service: string) =>
            `urn:pulumi:local::model-services::model-services:index:ModelPlatform$model-services:index:ModelService$kubernetes:apps/v1:Deployment::model-services-${service}-deployment`;
        // The engine reports resource policies in the order the resources finish: compare as sets.
        const reported = violations.map((v) => [v.policyPackName, v.policyName, v.enforcementLevel, v.resourceUrn].join(" ")).sort();
        expect(reported).toEqual(
            [
                ...["test", "vision", "qwen-32b"].map((service) => ["model-services", "k8s-vllm-model-pinned", "advisory", deploymentUrn(service)].join(" ")),
                ["model-services", "stack-gpu-budget", "mandatory", stackUrn].join(" "),
            ].sort(),
        );
        expect(violations.find((v) => v.policyName === "stack-gpu-budget")!.message).toContain(
            'The stack\'s pods request 4 GPUs (Deployment "vllm-qwen-32b": 1 × 2 GPUs; Deployment "vllm-test": 1 × 1 GPU; Deployment "vllm-vision": 1 × 1 GPU), over the budget of 3: ' +
                "lower the instances or GPUs of services (or the node groups' sizes), or raise maxGpus in the stack-gpu-budget policy config.",
        );
        expect(clusterSnapshot()).toEqual(snapshot);
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
        expect(after.find((s: any) => s.name === "test").status).toBe(clusterStatus("test"));
        expect(deploymentOf("test").metadata.labels["model-services.io/service-id"]).toBe(before.find((s: any) => s.name === "test").serviceId);
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

    it("4b. a public gateway without TLS is a config error before any change; internal or with a certificate it is accepted", async () => {
        const snapshot = clusterSnapshot();
        const original = structuredClone(e2e.raw);
        const next = structuredClone(e2e.raw);
        next.gateway = { ...next.gateway, serviceType: "LoadBalancer", scheme: "internet-facing" };
        e2e.setConfig(next);
        await expect(e2e.stack.up()).rejects.toThrow(/gateway\.scheme: is a public endpoint without TLS: API keys would cross the internet in clear, got "internet-facing"\. Set gateway\.certificateArn/);
        expect(clusterSnapshot()).toEqual(snapshot);
        next.gateway = { ...next.gateway, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0000-e2e" };
        e2e.setConfig(next);
        const { steps } = await plannedSteps(e2e);
        expect(steps).toContain("update kubernetes:core/v1:Service model-services-gateway-service");
        e2e.setConfig(original);
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
        // In the cluster: the Deployment kept at 0 replicas with its ID, its Service and budget kept.
        expect(deploymentOf("vision").spec.replicas).toBe(0);
        expect(deploymentOf("vision").metadata.labels["model-services.io/service-id"]).toBe(idBefore);
        expect(objectsOf("vision").sort()).toEqual(["deployment/vllm-vision", "poddisruptionbudget/vllm-vision", "service/vllm-vision"]);
        expect(Object.values(secretData("model-gateway-config")).join()).toContain(row.accessName);

        next.services.find((s: any) => s.name === "vision").instances = 1;
        e2e.setConfig(next);
        await e2e.stack.up();
        await eventually("vision running again", () => runningPods("vision").length === 1);
        row = (await refreshedOutputs()).services.value.find((s: any) => s.name === "vision");
        expect(row.serviceId).toBe(idBefore);
        expect(row.status).toBe("Running 1/1");
        expect(clusterStatus("vision")).toBe("Running 1/1");
        expect(deploymentOf("vision").metadata.labels["model-services.io/service-id"]).toBe(idBefore);
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

        // What the killed engine left: its lock on the stack (and, if a step was mid-flight, pending operations).
        expect(backendLocks(e2e).length, "the killed update's lock").toBeGreaterThan(0);
        const leftPending = (storedCheckpoint(e2e).checkpoint.latest.pending_operations ?? []).map((op: any) => `${op.type} ${op.resource.urn.split("::").pop()}`);
        const createdBeforeKill = uidsOf("extra");
        expect(Object.keys(createdBeforeKill)).toContain("deployment/vllm-extra");

        // Re-run: clear what the killed engine left (its lock, pending operations), then up.
        await recoverInterruptedUpdate(e2e);
        const result = await e2e.stack.up({ refresh: true });
        expect(result.summary.result).toBe("succeeded");
        await eventually("extra running", () => runningPods("extra").length === 1);
        const outputs = await e2e.stack.outputs();
        expect(outputs.services.value.map((s: any) => s.name)).toContain("extra");
        const pending = (await e2e.stack.exportStack()).deployment.pending_operations ?? [];
        expect(pending, `left by the killed update: ${leftPending.join(", ") || "none"}`).toEqual([]);
        expect(backendLocks(e2e)).toEqual([]);
        // Adopted, not re-created: what the killed update had created keeps its UID.
        const now = uidsOf("extra");
        for (const [object, uid] of Object.entries(createdBeforeKill)) {
            expect(now[object], object).toBe(uid);
        }
        expect(Object.keys(now).sort()).toEqual(["deployment/vllm-extra", "poddisruptionbudget/vllm-extra", "service/vllm-extra"]);
        await eventually("extra's Deployment reports its pod ready", () => clusterStatus("extra") === "Running 1/1");
        const again = await e2e.stack.preview();
        expect(again.changeSummary).not.toHaveProperty("create");
        expect(again.changeSummary).not.toHaveProperty("update");
        expect(again.changeSummary).not.toHaveProperty("delete");
    });
});
