import { describe, expect, it } from "vitest";
import { probeTiming } from "../../components/plan/servicePlan";
import { classifyPod, classifyService, formatDuration, nodeGroupStatus, NodeGroupStatus, schedulerSummary } from "../../cli/status/classify";
import { Deployment, KubeEvent, Node, Pod } from "../../cli/status/kubeTypes";
import { isDown, renderStatus } from "../../cli/status/render";
import { ServiceOutput } from "../../cli/stack";

/**
 * The reason classifier on objects shaped as the API server returns them (`kubectl get -o
 * json`): the scheduler's FailedScheduling message of Kubernetes 1.36, kubelet's container
 * states, KWOK's failed-container stage. The end-to-end tier checks the same reasons against
 * the real scheduler.
 */

const now = new Date("2026-11-30T12:00:00Z");
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
const ns = "model-services";

const service: ServiceOutput = { name: "test", displayName: "Test chat model", accessName: "u-1/test", serviceId: "svc-0a1b", baseModel: "Qwen/Qwen3-8B", instances: 1 };

function pod(name: string, status: Pod["status"], nodeName?: string): Pod {
    return {
        metadata: { name, namespace: ns, labels: { "model-services.io/service": "test" } },
        spec: {
            nodeName,
            nodeSelector: { "model-services.io/node-group": "gpu-l4" },
            containers: [
                {
                    name: "vllm",
                    image: "vllm/vllm-openai:v0.26.0",
                    // As ModelService writes it.
                    startupProbe: { periodSeconds: probeTiming.startupPeriodSeconds, failureThreshold: probeTiming.startupSeconds / probeTiming.startupPeriodSeconds },
                    resources: { requests: { "nvidia.com/gpu": "1" }, limits: { "nvidia.com/gpu": "1" } },
                },
            ],
        },
        status,
    };
}

const pendingStatus: Pod["status"] = {
    phase: "Pending",
    conditions: [
        {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message:
                "0/6 nodes are available: 2 Insufficient nvidia.com/gpu, 4 node(s) didn't match Pod's node affinity/selector. preemption: 0/6 nodes are available: 2 No preemption victims found for incoming pod, 4 Preemption is not helpful for scheduling.",
        },
    ],
};

const schedulingEvent = (podName: string, message: string, at = ago(5)): KubeEvent => ({
    involvedObject: { kind: "Pod", name: podName },
    reason: "FailedScheduling",
    type: "Warning",
    message,
    reportingComponent: "default-scheduler",
    eventTime: at,
});

const l4 = (nodes: number, gpusFree: number): NodeGroupStatus => ({ name: "gpu-l4", instanceType: "g6.xlarge", nodes, maxSize: 4, gpusTotal: nodes, gpusUsed: nodes - gpusFree, gpusFree });

const deployment = (replicas: number): Deployment => ({ metadata: { name: "vllm-test" }, spec: { replicas }, status: {} });
const readyPod = (name: string): Pod => pod(name, { phase: "Running", conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "vllm", ready: true, started: true, state: { running: { startedAt: ago(600) } } }] }, "gpu-l4-0");

describe("status reasons", () => {
    it("waiting for a GPU node: the scheduler's own message, newest event first, without the preemption note", () => {
        const events = [
            schedulingEvent("vllm-test-1", "0/6 nodes are available: 6 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.", ago(60)),
            schedulingEvent("vllm-test-1", pendingStatus.conditions![0].message!, ago(5)),
        ];
        expect(classifyPod(pod("vllm-test-1", pendingStatus), events, [l4(2, 0)], now)).toEqual({
            state: "waiting-for-gpu",
            reason: "waiting for a GPU node: 0/6 nodes are available: 2 Insufficient nvidia.com/gpu, 4 node(s) didn't match Pod's node affinity/selector",
        });
    });

    it("names the node group at maxSize and what to change", () => {
        const verdict = classifyPod(pod("vllm-test-1", pendingStatus), [], [l4(4, 0)], now);
        expect(verdict.reason).toBe(
            "waiting for a GPU node: 0/6 nodes are available: 2 Insufficient nvidia.com/gpu, 4 node(s) didn't match Pod's node affinity/selector; node group gpu-l4 is at maxSize 4 with 0 GPU(s) free: raise its maxSize, or lower instances or gpus",
        );
    });

    it("reads cluster-autoscaler's max-size verdict on EKS", () => {
        const autoscaler: KubeEvent = { involvedObject: { kind: "Pod", name: "vllm-test-1" }, reason: "NotTriggerScaleUp", message: "pod didn't trigger scale-up: 1 max node group size reached", lastTimestamp: ago(3) };
        expect(classifyPod(pod("vllm-test-1", pendingStatus), [autoscaler], [l4(2, 0)], now).reason).toContain("node group gpu-l4 is at maxSize 4");
    });

    it("loading the model: elapsed time against the startup probe's budget", () => {
        const loading = pod("vllm-test-1", { phase: "Running", conditions: [{ type: "Ready", status: "False" }], containerStatuses: [{ name: "vllm", ready: false, started: false, state: { running: { startedAt: ago(250) } } }] }, "gpu-l4-0");
        expect(classifyPod(loading, [], [], now)).toEqual({ state: "loading-model", reason: "downloading/loading the model: 4m 10s of the 1h 00m startup budget" });
    });

    it("crash loop after OOMKilled: the last termination and the hint", () => {
        const crashing = pod("vllm-test-1", {
            phase: "Running",
            containerStatuses: [
                {
                    name: "vllm",
                    ready: false,
                    started: false,
                    restartCount: 3,
                    state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=vllm pod=vllm-test-1_model-services" } },
                    lastState: { terminated: { reason: "OOMKilled", exitCode: 137, startedAt: ago(90), finishedAt: ago(40) } },
                },
            ],
        }, "gpu-l4-0");
        expect(classifyPod(crashing, [], [], now)).toEqual({
            state: "crash-loop",
            reason: "crash loop (3 restarts): last exit OOMKilled (exit code 137); the pod ran out of memory loading the model: lower maxModelLen or add GPUs (services[].gpus)",
        });
    });

    it("a crash with another reason points at the previous container's logs", () => {
        const crashing = pod("vllm-test-1", { phase: "Running", containerStatuses: [{ name: "vllm", restartCount: 1, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { reason: "Error", exitCode: 1 } } }] }, "gpu-l4-0");
        expect(classifyPod(crashing, [], [], now).reason).toBe("crash loop (1 restart): last exit Error (exit code 1); see kubectl logs --previous -n model-services vllm-test-1");
    });

    it("a failed pod, as KWOK's pod-container-running-failed stage writes it", () => {
        const failed = pod("vllm-test-1", {
            phase: "Failed",
            conditions: [{ type: "Ready", status: "False" }],
            containerStatuses: [{ name: "vllm", ready: false, started: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: "containerFailed", message: "container failed", startedAt: ago(2), finishedAt: ago(2) } } }],
        }, "gpu-l4-0");
        expect(classifyPod(failed, [], [], now)).toEqual({ state: "failed", reason: "instance failed: containerFailed (exit code 1): container failed; see kubectl logs --previous -n model-services vllm-test-1" });
    });

    it("pulling the image, and an image that cannot be pulled", () => {
        const creating = pod("vllm-test-1", { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }], containerStatuses: [{ name: "vllm", state: { waiting: { reason: "ContainerCreating" } } }] }, "gpu-l4-0");
        const pulling: KubeEvent = { involvedObject: { kind: "Pod", name: "vllm-test-1" }, reason: "Pulling", message: 'Pulling image "vllm/vllm-openai:v0.26.0"', lastTimestamp: ago(30) };
        expect(classifyPod(creating, [pulling], [], now)).toEqual({ state: "pulling-image", reason: "pulling image vllm/vllm-openai:v0.26.0" });
        const backoff = pod("vllm-test-1", { phase: "Pending", containerStatuses: [{ name: "vllm", image: "vllm/vllm-openai:v9", state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "vllm/vllm-openai:v9"' } } }] }, "gpu-l4-0");
        expect(classifyPod(backoff, [], [], now)).toEqual({ state: "image-pull-error", reason: 'cannot pull image vllm/vllm-openai:v9: Back-off pulling image "vllm/vllm-openai:v9"' });
    });

    it("a service: stopped, running, scaled part-way, not deployed", () => {
        expect(classifyService({ ...service, instances: 0 }, deployment(0), [], [], [], now)).toMatchObject({ state: "stopped", reason: "stopped (instances: 0)", desired: 0, ready: 0 });
        expect(classifyService(service, deployment(1), [readyPod("a")], [], [], now)).toMatchObject({ state: "running", ready: 1, desired: 1 });
        const scaled = classifyService({ ...service, instances: 3 }, deployment(3), [readyPod("a"), readyPod("b"), pod("c", pendingStatus)], [], [l4(2, 0)], now);
        expect(scaled).toMatchObject({ state: "waiting-for-gpu", ready: 2, desired: 3 });
        expect(classifyService(service, undefined, [], [], [], now)).toMatchObject({ state: "not-deployed", reason: "not deployed: no Deployment in the cluster; run pulumi up" });
    });

    it("the worst pod speaks for the service, with how many are in that state", () => {
        const loading = pod("b", { phase: "Running", containerStatuses: [{ name: "vllm", started: false, state: { running: { startedAt: ago(10) } } }] }, "n");
        const status = classifyService({ ...service, instances: 3 }, deployment(3), [loading, pod("c", pendingStatus), pod("d", pendingStatus)], [], [l4(1, 0)], now);
        expect(status.state).toBe("waiting-for-gpu");
        expect(status.reason).toMatch(/\[2 of 3 waiting instances\]$/);
    });

    it("failed instances the ReplicaSet replaced: one is a note on a running service, two or more recent ones a failing service", () => {
        const failedPod = (name: string, secondsAgo: number): Pod =>
            pod(name, { phase: "Failed", containerStatuses: [{ name: "vllm", state: { terminated: { exitCode: 137, reason: "OOMKilled", message: "container failed", finishedAt: ago(secondsAgo) } } }] }, "gpu-l4-0");
        expect(classifyService(service, deployment(1), [readyPod("a"), failedPod("f1", 130)], [], [], now)).toMatchObject({
            state: "running",
            reason: "1 instance failed 2m 10s ago and was replaced: OOMKilled (exit code 137): container failed; the pod ran out of memory loading the model: lower maxModelLen or add GPUs (services[].gpus)",
        });
        expect(classifyService(service, deployment(1), [readyPod("a"), failedPod("f1", 30), failedPod("f2", 4)], [], [], now)).toMatchObject({
            state: "failed",
            reason: "instances keep failing (2 in the last 10m 00s): last OOMKilled (exit code 137): container failed; the pod ran out of memory loading the model: lower maxModelLen or add GPUs (services[].gpus)",
        });
        // Failures older than the window are history, not the service's state.
        expect(classifyService(service, deployment(1), [readyPod("a"), failedPod("f1", 3600), failedPod("f2", 3000)], [], [], now)).toMatchObject({ state: "running" });
    });

    it("ignores pods being deleted (a scale-down in progress)", () => {
        const leaving = { ...pod("old", pendingStatus), metadata: { name: "old", deletionTimestamp: ago(1) } };
        expect(classifyService(service, deployment(1), [readyPod("a"), leaving], [], [], now).state).toBe("running");
    });
});

describe("node groups and the table", () => {
    it("counts GPUs allocatable on a group's nodes and requested by pods bound to them", () => {
        const node = (name: string, group: string, gpus: string): Node => ({ metadata: { name, labels: { "model-services.io/node-group": group } }, status: { allocatable: { "nvidia.com/gpu": gpus } } });
        const nodes = [node("l4-0", "gpu-l4", "1"), node("l4-1", "gpu-l4", "1"), node("l40s-0", "gpu-l40s", "4")];
        const pods = [readyPod("a"), { ...readyPod("b"), spec: { ...readyPod("b").spec, nodeName: "l40s-0" } }];
        pods[0].spec!.nodeName = "l4-0";
        const groups = nodeGroupStatus(
            [
                { name: "gpu-l4", instanceType: "g6.xlarge", gpusPerNode: 1, minSize: 0, desiredSize: 2, maxSize: 4 },
                { name: "gpu-l40s", instanceType: "g6e.12xlarge", gpusPerNode: 4, minSize: 0, desiredSize: 1, maxSize: 2 },
            ],
            nodes,
            pods,
        );
        expect(groups).toEqual([
            { name: "gpu-l4", instanceType: "g6.xlarge", nodes: 2, maxSize: 4, gpusTotal: 2, gpusUsed: 1, gpusFree: 1 },
            { name: "gpu-l40s", instanceType: "g6e.12xlarge", nodes: 1, maxSize: 2, gpusTotal: 4, gpusUsed: 1, gpusFree: 3 },
        ]);
    });

    it("prints reasons under the table; a stopped service is not down, a waiting one is", () => {
        const stopped = classifyService({ ...service, instances: 0 }, deployment(0), [], [], [], now);
        const waiting = classifyService(service, deployment(1), [pod("vllm-test-1", pendingStatus)], [], [l4(1, 0)], now);
        const text = renderStatus({ stack: "local", endpoint: "http://model-gateway.model-services.svc.cluster.local/v1", services: [stopped, waiting], nodeGroups: [l4(1, 0)] });
        expect(text).toContain("Test chat model  u-1/test     svc-0a1b    Qwen/Qwen3-8B  0/0    Stopped");
        expect(text).toContain("test: waiting for a GPU node: 0/6 nodes are available");
        expect(text).toContain("gpu-l4      g6.xlarge      1/4        1/1        0");
        expect([stopped, waiting].map(isDown)).toEqual([false, true]);
    });

    it("formats durations and trims the scheduler's preemption note", () => {
        expect([formatDuration(59), formatDuration(61), formatDuration(3725)]).toEqual(["59s", "1m 01s", "1h 02m"]);
        expect(schedulerSummary("0/1 nodes are available: 1 Insufficient nvidia.com/gpu. no new claims to deallocate, preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.")).toBe(
            "0/1 nodes are available: 1 Insufficient nvidia.com/gpu",
        );
    });
});
