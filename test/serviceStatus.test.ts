import { describe, expect, it } from "vitest";
import { ClusterModel } from "./helpers/clusterModel";
import { ProviderState } from "./helpers/mocks";
import { runStack, stackConfig } from "./helpers/platform";

/**
 * Every status the `services` output can report, each reached through the cluster model
 * (pods that passed their readiness probe), not through the Deployment's own spec.
 */

async function statusOf(service: string, instances: number, cluster: ClusterModel): Promise<string> {
    const raw = stackConfig("local");
    raw.services.find((s: any) => s.name === service).instances = instances;
    const run = await runStack(raw, { stack: "local", cluster });
    return run.outputs.services.find((s) => s.name === service).status;
}

describe("a service's live status", () => {
    it.each([
        ["every pod ready", 1, {}, "Running 1/1"],
        ["three of three ready", 3, { "vllm-test": 3 }, "Running 3/3"],
        ["the model still loading (no pod ready yet)", 1, { "vllm-test": 0 }, "Starting 0/1"],
        ["scaled 1 → 3, one pod ready, two waiting for GPUs", 3, { "vllm-test": 1 }, "Starting 1/3"],
        ["two of three ready", 3, { "vllm-test": 2 }, "Starting 2/3"],
        ["instances: 0", 0, { "vllm-test": 0 }, "Stopped"],
    ] as const)("%s: %i instances, ready %o → %s", async (_, instances, readyPods, expected) => {
        expect(await statusOf("test", instances, { readyPods })).toBe(expected);
    });

    it("reports each service from its own Deployment", async () => {
        const run = await runStack(stackConfig("local"), { stack: "local", cluster: { readyPods: { "vllm-vision": 0 } } });
        expect(Object.fromEntries(run.outputs.services.map((s) => [s.name, s.status]))).toEqual({ test: "Running 1/1", vision: "Starting 0/1", "qwen-32b": "Running 1/1" });
    });

    it("follows the cluster from one run to the next: Starting, then Running once the pods are ready", async () => {
        const state = new ProviderState();
        const raw = stackConfig("local");
        const first = await runStack(raw, { stack: "local", state, cluster: { readyPods: { "vllm-test": 0 } } });
        const refreshed = await runStack(raw, { stack: "local", state, cluster: {} });
        expect(first.outputs.services[0].status).toBe("Starting 0/1");
        expect(refreshed.outputs.services[0].status).toBe("Running 1/1");
        expect(refreshed.outputs.services[0].serviceId).toBe(first.outputs.services[0].serviceId);
    });
});
