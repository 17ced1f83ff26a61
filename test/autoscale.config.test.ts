import { describe, expect, it } from "vitest";
import { expectedStartSeconds, loadPlatform, parseConfig, scaleUpEstimateSeconds, startupBudget, autoscaledStatus } from "../components";
import { stackConfig } from "./helpers/platform";
import { configProblems } from "./helpers/planConfig";

/** `services[].autoscale` and `autoscaling`: parsing, defaults, errors with path/value/fix, and the plan's peak check. */

const prometheusUrl = "http://prometheus-operated.monitoring.svc:9090";

/** The shipped local stack with its first service ("test", Qwen3-8B on gpu-l4: g6.xlarge, 1 GPU, maxSize 4) autoscaled. */
function autoscaled(autoscale: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, any> {
    const raw = structuredClone(stackConfig("local"));
    const { instances: _fixed, ...test } = raw.services[0];
    raw.services[0] = { ...test, autoscale };
    return { ...raw, autoscaling: { prometheusUrl }, ...extra };
}

function problems(raw: Record<string, unknown>): string[] {
    return configProblems(() => loadPlatform(raw, { stack: "local" }));
}

describe("services[].autoscale", () => {
    it("resolves the documented defaults: queue metric, 5 waiting requests per instance, 600 s scale-down delay, KEDA installed", () => {
        const config = parseConfig(autoscaled({ min: 0, max: 3 }), { stack: "local" });
        expect(config.services[0].autoscale).toEqual({ min: 0, max: 3, metric: "queue", target: 5, scaleDownDelaySeconds: 600 });
        expect(config.services[0].instances).toBe(0);
        expect(config.autoscaling).toEqual({ keda: "install", prometheusUrl });
        expect(config.monitoring).toEqual({ prometheusOperator: false, grafanaDashboard: false });
        expect(parseConfig(autoscaled({ min: 1, max: 2, metric: "kvCache" }), { stack: "local" }).services[0].autoscale?.target).toBe(0.8);
        expect(parseConfig(autoscaled({ min: 1, max: 2, metric: "ttft" }), { stack: "local" }).services[0].autoscale?.target).toBe(2);
    });

    it("excludes a fixed instances count", () => {
        const raw = autoscaled({ min: 1, max: 2 });
        raw.services[0].instances = 1;
        expect(problems(raw)).toEqual(["services[0].instances: is set together with autoscale, which decides the instances, got 1. Remove instances, or remove autoscale for a fixed count."]);
    });

    it("needs one of instances or autoscale", () => {
        const raw = autoscaled({ min: 1, max: 2 });
        delete raw.services[0].autoscale;
        expect(problems(raw)).toEqual([
            "services[0].instances: is missing; expected a whole number ≥ 0. Set how many instances to run (0 stops the service), or set autoscale: {min, max} to scale on load.",
        ]);
    });

    it("rejects min > max, a bad metric, a KV-cache target above 1 and a negative delay, all at once", () => {
        expect(problems(autoscaled({ min: 3, max: 2 }))).toEqual(["services[0].autoscale.min: is larger than autoscale.max (2), got 3. Lower min to at most 2 or raise max."]);
        expect(problems(autoscaled({ min: 0, max: 2, metric: "gpu", scaleDownDelaySeconds: -1 }))).toEqual([
            'services[0].autoscale.metric: expected one of "queue", "kvCache", "ttft", got "gpu". Pick the vLLM signal to scale on: queue (waiting requests), kvCache (KV-cache usage) or ttft (time to first token).',
            "services[0].autoscale.scaleDownDelaySeconds: expected a whole number from 0 to 3600, got -1. Set the seconds of low load before instances are removed.",
        ]);
        expect(problems(autoscaled({ min: 0, max: 2, metric: "kvCache", target: 80 }))).toEqual([
            "services[0].autoscale.target: is more than 1, but KV-cache usage is a fraction from 0 to 1, got 80. Set a fraction such as 0.8.",
        ]);
    });

    it("accepts the bounds themselves: min equal to max, and a KV-cache target of exactly 1", () => {
        expect(parseConfig(autoscaled({ min: 2, max: 2 }), { stack: "local" }).services[0].autoscale).toMatchObject({ min: 2, max: 2 });
        expect(parseConfig(autoscaled({ min: 0, max: 2, metric: "kvCache", target: 1 }), { stack: "local" }).services[0].autoscale).toMatchObject({ metric: "kvCache", target: 1 });
    });

    it("rejects a max the node group cannot hold, naming the nodes needed at the peak", () => {
        // gpu-l4 is g6.xlarge (1 GPU) with maxSize 4; the test service needs 1 GPU per instance.
        expect(problems(autoscaled({ min: 0, max: 5 }))).toEqual([
            'services[0].autoscale.max: needs more nodes than node group "gpu-l4" may have: at their peaks the services on it (test 5×1) need 5 g6.xlarge nodes, and its maxSize is 4, got 5. Lower autoscale.max, or raise nodeGroups[0].maxSize to at least 5.',
        ]);
        expect(() => loadPlatform(autoscaled({ min: 0, max: 4 }), { stack: "local" })).not.toThrow();
    });

    it("needs a Prometheus for KEDA to query", () => {
        const raw = autoscaled({ min: 0, max: 2 });
        delete raw.autoscaling;
        expect(problems(raw)).toEqual([
            "autoscaling.prometheusUrl: is missing, and services[0].autoscale needs a Prometheus that scrapes vLLM and the gateway for KEDA to query. Set it to your Prometheus, e.g. http://prometheus-operated.monitoring.svc:9090 (monitoring.prometheusOperator: true makes a Prometheus Operator scrape the pods).",
        ]);
        expect(problems({ ...raw, autoscaling: { keda: "helm", prometheusUrl } })).toEqual([
            'autoscaling.keda: expected one of "install", "existing", got "helm". Install deploys the pinned KEDA release; existing uses the KEDA the cluster already runs.',
        ]);
    });
});

describe("the plan of an autoscaled service", () => {
    it("sizes the node group at rest from min and estimates the cold start from weights and a new node", () => {
        const plan = loadPlatform(autoscaled({ min: 0, max: 4 }), { stack: "local" });
        const test = plan.services[0];
        expect(test.instances).toBe(0);
        expect(plan.nodeGroups[0].desiredSize).toBe(0);
        // gpu-l4 keeps 0 nodes at rest, so a cold start waits for a node: 60 + 300 + the pod's own
        // start (the startup budget's estimate: download and load through the root volume, warm-up), rounded up to 30 s.
        const weightsGiB = (test.capacity?.weightsGiBPerGpu ?? 0) * test.gpus;
        expect(weightsGiB).toBeGreaterThan(14);
        const start = startupBudget(weightsGiB, test.source.kind, test.modelCache.kind);
        expect(start.downloadSeconds + start.loadSeconds + start.warmupSeconds).toBe(expectedStartSeconds(test));
        expect(test.autoscale?.scaleUpSeconds).toBe(Math.ceil((60 + 300 + expectedStartSeconds(test)) / 30) * 30);
    });

    it("leaves out the node wait when the group's minSize already has room", () => {
        const raw = autoscaled({ min: 0, max: 4 });
        raw.nodeGroups[0].minSize = 1;
        const test = loadPlatform(raw, { stack: "local" }).services[0];
        expect(test.autoscale?.scaleUpSeconds).toBe(scaleUpEstimateSeconds(expectedStartSeconds(test), false));
        expect(scaleUpEstimateSeconds(420, false)).toBe(480);
        expect(scaleUpEstimateSeconds(420, true)).toBe(780);
    });

    it("reports an autoscaled service at 0 replicas as scaled to zero, not stopped", () => {
        expect(autoscaledStatus(0, 0)).toBe("Scaled to zero");
        expect(autoscaledStatus(2, 1)).toBe("Starting 1/2");
    });
});
