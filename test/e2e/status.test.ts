import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, stackConfig } from "../helpers/platform";
import { createStack, E2eStack, eventually, kubectl, namespace, pods, removeStack } from "./harness";

/**
 * `model-services status` against the simulated cluster: the real Pulumi outputs, the real
 * API server and scheduler, KWOK's simulated kubelets. Each state the simulation can produce
 * here, with the reason the CLI derives from what Kubernetes reports. scripts/e2e.sh starts the
 * cluster with KWOK's failure stage (scripts/cluster.sh, KWOK_FAILURE_STAGES=1).
 */

const run = promisify(execFile);
let e2e: E2eStack;

/** The CLI as a user runs it inside the project, with the stack's backend and the pinned tools on PATH. */
async function status(): Promise<{ code: number; report: any; text: string }> {
    const cli = path.join(projectRoot, "cli", "model-services.cjs");
    const env = { ...process.env, ...e2e.env };
    const json = await run("node", [cli, "status", "--stack", "local", "--json"], { cwd: e2e.workDir, env }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e) => ({ code: e.code as number, out: e.stdout as string }),
    );
    const text = await run("node", [cli, "status", "--stack", "local"], { cwd: e2e.workDir, env }).then(
        (r) => r.stdout,
        (e) => e.stdout as string,
    );
    return { code: json.code, report: JSON.parse(json.out), text };
}

const serviceOf = (report: any, name: string) => report.services.find((s: any) => s.name === name);

beforeAll(async () => {
    const local = stackConfig("local");
    e2e = await createStack("local", {
        ...local,
        services: [
            { name: "test", displayName: "Scaled chat", model: "Qwen/Qwen3-8B", instances: 3, nodeGroup: "gpu-l4", maxModelLen: 8192 },
            { name: "idle", model: "Qwen/Qwen3-8B", instances: 0, nodeGroup: "gpu-l4", maxModelLen: 8192 },
            { name: "big", model: "Qwen/Qwen3-32B", instances: 2, gpus: 4, nodeGroup: "gpu-l40s", maxModelLen: 32768 },
            { name: "flaky", model: "Qwen/Qwen3-8B", instances: 1, nodeGroup: "gpu-l4", maxModelLen: 8192 },
        ],
        apiKeys: [{ name: "ops", services: ["*"] }],
    });
    await e2e.stack.up();
    await eventually("the scaled service's 3 pods Running", () => pods("test").filter((p) => p.status?.phase === "Running").length === 3, 120_000);
    await eventually("big's 2 pods Running", () => pods("big").filter((p) => p.status?.phase === "Running").length === 2, 120_000);
});

afterAll(async () => {
    if (e2e) {
        await e2e.stack.destroy();
        removeStack(e2e);
    }
});

describe("model-services status on the simulated cluster", () => {
    it("running, scaled and stopped services; GPUs per node group; exit code 0", async () => {
        const { code, report, text } = await status();
        expect(serviceOf(report, "test")).toMatchObject({ displayName: "Scaled chat", accessName: "u-8105f7322477/test", model: "Qwen/Qwen3-8B", desired: 3, ready: 3, state: "running" });
        expect(serviceOf(report, "test").serviceId).toMatch(/^ms-[0-9a-f]{12}$/);
        expect(serviceOf(report, "idle")).toMatchObject({ desired: 0, ready: 0, state: "stopped", reason: "stopped (instances: 0)" });
        expect(serviceOf(report, "big")).toMatchObject({ desired: 2, ready: 2, state: "running" });
        expect(report.nodeGroups).toEqual([
            { name: "gpu-l4", instanceType: "g6.xlarge", nodes: 4, maxSize: 4, gpusTotal: 4, gpusUsed: 4, gpusFree: 0 },
            { name: "gpu-l40s", instanceType: "g6e.12xlarge", nodes: 2, maxSize: 2, gpusTotal: 8, gpusUsed: 8, gpusFree: 0 },
            // The default CPU group the gateway runs on: its nodes, no GPUs.
            { name: "system", instanceType: "m7i.large", nodes: 2, maxSize: 3, gpusTotal: 0, gpusUsed: 0, gpusFree: 0 },
        ]);
        expect(code).toBe(0);
        expect(text).toMatch(/Scaled chat\s+u-8105f7322477\/test\s+\S+\s+Qwen\/Qwen3-8B\s+3\/3\s+Running/);
    });

    it("more GPUs asked than free: Pending with the scheduler's own reason and the node group at maxSize; exit code 1", async () => {
        kubectl("scale", "deployment", "vllm-big", "-n", namespace, "--replicas=3");
        await eventually("the scheduler's verdict on the third pod", () => kubectl("get", "events", "-n", namespace, "--field-selector", "reason=FailedScheduling", "-o", "json").items.length > 0, 60_000);
        const { code, report, text } = await status();
        expect(serviceOf(report, "big")).toMatchObject({
            desired: 3,
            ready: 2,
            state: "waiting-for-gpu",
            reason:
                "waiting for a GPU node: 0/8 nodes are available: 2 Insufficient cpu, 2 Insufficient memory, 2 Insufficient nvidia.com/gpu, 6 node(s) didn't match Pod's node affinity/selector; node group gpu-l40s is at maxSize 2 with 0 GPU(s) free: raise its maxSize, or lower instances or gpus",
        });
        expect(code).toBe(1);
        expect(text).toContain("big: waiting for a GPU node: 0/8 nodes are available");
        kubectl("scale", "deployment", "vllm-big", "-n", namespace, "--replicas=2");
    });

    it("a pod KWOK is told to fail (its failure stage, as OOMKilled): instance failed, with the hint", async () => {
        const stage = "pod-container-running-failed.stage.kwok.x-k8s.io";
        const template = { metadata: { labels: { [stage]: "true" }, annotations: { [`${stage}/reason`]: "OOMKilled", [`${stage}/exit-code`]: "137" } } };
        kubectl("patch", "deployment", "vllm-flaky", "-n", namespace, "--type=merge", "-p", JSON.stringify({ spec: { template } }));
        // Every new pod fails a second after it runs and the ReplicaSet replaces it: the service flaps.
        let last: any;
        const start = Date.now();
        do {
            last = await status();
        } while (serviceOf(last.report, "flaky").state !== "failed" && Date.now() - start < 90_000);
        expect(serviceOf(last.report, "flaky")).toMatchObject({ desired: 1, state: "failed" });
        expect(serviceOf(last.report, "flaky").reason).toMatch(
            /^instances keep failing \(\d+ in the last 10m 00s\): last OOMKilled \(exit code 137\): container failed; the pod ran out of memory loading the model: lower maxModelLen or add GPUs \(services\[\]\.gpus\)$/,
        );
        expect(last.code).toBe(1);
    });
});
