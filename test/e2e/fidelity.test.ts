import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eksNodeResources, loadPlatform } from "../../components";
import { stackConfig } from "../helpers/platform";
import { createStack, E2eStack, eventually, kubectl, namespace, nodeCounts, plannedSteps, pods, policyPacks, removeStack, runningPods, simulateLoadBalancers } from "./harness";

/**
 * The simulation is no kinder than EKS: the cluster starts with no node, the stack creates
 * exactly the nodes its node groups would run on EKS (desired sizes, EKS labels, taints and
 * allocatable), and the real scheduler decides. What would be Pending on EKS is Pending here.
 */

const gpuOf = (pod: any): number => Number(pod.spec.containers[0].resources.limits?.["nvidia.com/gpu"] ?? 0);
const nodeOf = (name: string): any => kubectl("get", "node", name, "-o", "json");
const allPods = (): any[] => [...pods(), ...kubectl("get", "pods", "-n", "kube-system", "-o", "json").items];
const unscheduled = (): string[] => allPods().filter((p) => !p.spec.nodeName || p.status.phase !== "Running").map((p) => `${p.metadata.namespace}/${p.metadata.name} ${p.status.phase}`);

/** Each planned group's desired size, as the stack's own planner works it out from its config. */
function desiredSizes(raw: Record<string, any>, stack: string): Record<string, number> {
    return Object.fromEntries(loadPlatform(raw, { stack }).nodeGroups.filter((g) => g.desiredSize > 0).map((g) => [g.name, g.desiredSize]));
}

describe("the dev (EKS) stack's Kubernetes half, on a simulated cluster shaped like its node groups", () => {
    let e2e: E2eStack;
    let stopLoadBalancers: () => void;

    beforeAll(async () => {
        const raw = stackConfig("dev");
        // Only the cluster connection changes (and Secrets Manager, the AWS half of the key store, which needs AWS).
        raw.cluster = { kind: "kubeconfig", simulated: true };
        raw.keyStore = { awsSecretsManager: false };
        e2e = await createStack("dev", raw);
        stopLoadBalancers = simulateLoadBalancers();
    });

    afterAll(async () => {
        stopLoadBalancers?.();
        if (e2e) {
            await e2e.stack.destroy();
            removeStack(e2e);
        }
    });

    it("comes up with exactly the declared nodes, and every pod — gateway, models, device plugin — scheduled and Running", async () => {
        const result = await e2e.stack.up({ policyPacks });
        expect(result.summary.result).toBe("succeeded");
        // The default system group (2 × m7i.large) plus each GPU group at the size its services need.
        expect(nodeCounts()).toEqual({ "gpu-l4": 1, "gpu-l40s": 1, system: 2 });
        expect(nodeCounts()).toEqual(desiredSizes(e2e.raw, "dev"));

        await eventually("every pod scheduled and Running", () => unscheduled().length === 0 && allPods().length > 0, 120_000);
        const gateway = pods().filter((p) => p.metadata.labels?.["app.kubernetes.io/component"] === "api-gateway");
        expect(gateway).toHaveLength(2);
        expect(gateway.map((p) => nodeOf(p.spec.nodeName).metadata.labels["model-services.io/node-group"])).toEqual(["system", "system"]);
        // Preferred anti-affinity spreads the two Envoys over the two system nodes.
        expect(new Set(gateway.map((p) => p.spec.nodeName)).size).toBe(2);
        for (const svc of e2e.raw.services) {
            for (const pod of runningPods(svc.name)) {
                expect(nodeOf(pod.spec.nodeName).metadata.labels["model-services.io/node-group"]).toBe(svc.nodeGroup);
                expect(gpuOf(pod)).toBe(svc.gpus ?? 1);
            }
        }
        expect(kubectl("get", "pods", "-n", "kube-system", "-l", "app.kubernetes.io/name=nvidia-device-plugin", "-o", "json").items).toHaveLength(2);

        const outputs = await e2e.stack.outputs();
        expect(outputs.endpoint.value).toBe("http://model-gateway.simulated-elb.invalid/v1");
        expect(outputs.capacity.value).toMatchObject({ simulated: true, controlPlanePricePerHourUsd: 0.1, cpuNodesPricePerHourUsd: 0.2016 });
    });

    it("each node is what the API server of an EKS cluster would show: EKS labels, GPU taint, AL2023 allocatable", () => {
        for (const node of kubectl("get", "nodes", "-o", "json").items) {
            const labels = node.metadata.labels;
            const instanceType = labels["node.kubernetes.io/instance-type"];
            const group = e2e.raw.nodeGroups.find((g: any) => g.name === labels["model-services.io/node-group"]);
            const expected = eksNodeResources(instanceType, group?.diskSizeGiB ?? (labels["model-services.io/node-group"] === "system" ? 50 : 200))!;
            expect(node.status.allocatable, node.metadata.name).toEqual(expected.allocatable);
            expect(node.status.capacity, node.metadata.name).toEqual(expected.capacity);
            expect(labels["eks.amazonaws.com/nodegroup"]).toBe(labels["model-services.io/node-group"]);
            expect(labels["topology.kubernetes.io/zone"]).toMatch(/^us-east-1[abc]$/);
            const gpu = instanceType.startsWith("g6");
            expect((node.spec.taints ?? []).filter((t: any) => t.key === "nvidia.com/gpu")).toEqual(gpu ? [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }] : []);
        }
    });
});

describe("capacity follows the plan, and nothing more: the shipped local stack", () => {
    let e2e: E2eStack;

    beforeAll(async () => {
        e2e = await createStack();
    });

    afterAll(async () => {
        if (e2e) {
            await e2e.stack.destroy();
            removeStack(e2e);
        }
    });

    it("node count = the declared desired sizes; an empty cluster gets no node the config does not declare", async () => {
        expect(nodeCounts()).toEqual({});
        await e2e.stack.up();
        expect(nodeCounts()).toEqual(desiredSizes(e2e.raw, "local"));
        expect(nodeCounts()).toEqual({ "gpu-l4": 1, "gpu-l40s": 1, system: 2 });
        await eventually("every pod Running", () => unscheduled().length === 0, 120_000);
    });

    it("scale 1 → 3 on 1-GPU nodes: the same up adds two nodes, and the three pods run one per node", async () => {
        const next = structuredClone(e2e.raw);
        next.services.find((s: any) => s.name === "test").instances = 3;
        e2e.setConfig(next);
        const { steps } = await plannedSteps(e2e);
        expect(steps.filter((s) => s.includes(":Node "))).toEqual(["create kubernetes:core/v1:Node model-services-gpu-l4-node-1", "create kubernetes:core/v1:Node model-services-gpu-l4-node-2"]);
        await e2e.stack.up();
        expect(nodeCounts()["gpu-l4"]).toBe(3);
        await eventually("3 test pods running", () => runningPods("test").length === 3, 120_000);
        expect(new Set(runningPods("test").map((p) => p.spec.nodeName))).toEqual(new Set(["gpu-l4-0", "gpu-l4-1", "gpu-l4-2"]));
    });

    it("a pod is Pending exactly while capacity is missing, with the scheduler's reason; up restores the node", async () => {
        // An instance lost: its node and the pods bound to it go, as on EKS when an instance terminates.
        const lost = "gpu-l4-2";
        const victims = runningPods("test").filter((p) => p.spec.nodeName === lost);
        expect(victims).toHaveLength(1);
        kubectl("delete", "node", lost, "--wait=true");
        kubectl("delete", "pod", victims[0].metadata.name, "-n", namespace, "--force", "--grace-period=0");

        let pending: any;
        await eventually(
            "a test pod Unschedulable",
            () => {
                pending = pods("test").find((p) => p.status.conditions?.some((c: any) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable"));
                return pending !== undefined;
            },
            60_000,
        );
        const scheduled = pending.status.conditions.find((c: any) => c.type === "PodScheduled");
        // Two gpu-l4 nodes left, each with its one GPU taken; the other nodes lack free GPUs or repel with their taint.
        expect(scheduled.message).toMatch(/^0\/5 nodes are available: .*Insufficient nvidia\.com\/gpu/);
        const events = kubectl("get", "events", "-n", namespace, "--field-selector", `involvedObject.name=${pending.metadata.name},reason=FailedScheduling`, "-o", "json").items;
        expect(events.length).toBeGreaterThan(0);
        // Nothing else is Pending: only the pod whose capacity went missing.
        expect(unscheduled()).toEqual([`${namespace}/${pending.metadata.name} Pending`]);

        // The stack still declares three gpu-l4 nodes: a refresh sees one gone, the up creates it again.
        await e2e.stack.up({ refresh: true });
        expect(nodeCounts()["gpu-l4"]).toBe(3);
        await eventually("the pending pod runs on the restored node", () => runningPods("test").length === 3, 120_000);
        expect(unscheduled()).toEqual([]);
    });

    it("scale 3 → 1 removes the two nodes the group no longer needs", async () => {
        const next = structuredClone(e2e.raw);
        next.services.find((s: any) => s.name === "test").instances = 1;
        e2e.setConfig(next);
        await e2e.stack.up();
        expect(nodeCounts()).toEqual({ "gpu-l4": 1, "gpu-l40s": 1, system: 2 });
        await eventually("one test pod", () => pods("test").length === 1 && runningPods("test").length === 1, 120_000);
    });
});
