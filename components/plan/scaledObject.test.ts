import { beforeEach, describe, expect, it } from "vitest";
import { AutoscaleMetric } from "../config/rules";
import type { AutoscaleConfig } from "../config/types";
import { demandQuery, loadQuery, scaledObjectSpec, type ScaledObjectInput } from "./scaledObject";

const prometheusUrl = "http://prometheus-operated.monitoring.svc:9090";
const sel = 'namespace="models",model_name="acme/chat"';

function input(autoscale: Partial<AutoscaleConfig>): ScaledObjectInput {
    return {
        namespace: "models",
        serviceName: "chat",
        accessName: "acme/chat",
        autoscale: { min: 1, max: 4, metric: AutoscaleMetric.Queue, target: 5, scaleDownDelaySeconds: 600, ...autoscale },
        prometheusUrl,
    };
}

describe("loadQuery: the PromQL of each metric, selected by namespace and served model name, 0 when nothing reports", () => {
    it("queue: waiting requests summed over the instances", () => {
        expect(loadQuery(AutoscaleMetric.Queue, "models", "acme/chat")).toBe(`sum(vllm:num_requests_waiting{${sel}}) or vector(0)`);
    });

    it("kvCache: KV-cache usage averaged over the instances", () => {
        expect(loadQuery(AutoscaleMetric.KvCache, "models", "acme/chat")).toBe(`avg(vllm:kv_cache_usage_perc{${sel}}) or vector(0)`);
    });

    it("ttft: the 90th percentile of time to first token over a 2-minute window, NaN dropped", () => {
        expect(loadQuery(AutoscaleMetric.Ttft, "models", "acme/chat")).toBe(
            `(histogram_quantile(0.9, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket{${sel}}[2m]))) > 0) or vector(0)`,
        );
    });
});

describe("demandQuery", () => {
    it("is the gateway's upstream and connection-failure request rate for the service's Envoy cluster", () => {
        expect(demandQuery("models", "chat")).toBe(
            'sum(rate({__name__=~"envoy_cluster_upstream_rq_total|envoy_cluster_upstream_rq_pending_failure_eject",namespace="models",envoy_cluster_name="service-chat"}[2m])) or vector(0)',
        );
    });
});

describe("scaledObjectSpec of a service that keeps at least one instance", () => {
    let spec: Record<string, unknown>;
    beforeEach(() => {
        spec = scaledObjectSpec(input({ min: 1, max: 4, metric: AutoscaleMetric.Queue, target: 5, scaleDownDelaySeconds: 600 }));
    });

    it("scales the service's Deployment between min and max, polled every 30 s, idle for the delay before going", () => {
        expect(spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "vllm-chat" });
        expect(spec.minReplicaCount).toBe(1);
        expect(spec.maxReplicaCount).toBe(4);
        expect(spec.pollingInterval).toBe(30);
        expect(spec.cooldownPeriod).toBe(600);
    });

    it("names its HPA after the Deployment: scale up by doubling at once, down by one pod a minute after the delay", () => {
        expect(spec.advanced).toEqual({
            horizontalPodAutoscalerConfig: {
                name: "vllm-chat",
                behavior: {
                    scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Percent", value: 100, periodSeconds: 60 }] },
                    scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
                },
            },
        });
    });

    it("has only the load trigger: queue shared out per instance (AverageValue), target as threshold, activation at 0", () => {
        expect(spec.triggers).toEqual([
            {
                type: "prometheus",
                name: "load",
                metricType: "AverageValue",
                metadata: { serverAddress: prometheusUrl, query: `sum(vllm:num_requests_waiting{${sel}}) or vector(0)`, threshold: "5", activationThreshold: "0" },
            },
        ]);
    });
});

describe("scaledObjectSpec per metric", () => {
    it("kvCache and ttft are per-instance values (Value) with their own target", () => {
        const kv = scaledObjectSpec(input({ metric: AutoscaleMetric.KvCache, target: 0.8 })).triggers as { metricType: string; metadata: Record<string, string> }[];
        expect(kv.map((t) => [t.metricType, t.metadata.query, t.metadata.threshold])).toEqual([["Value", loadQuery(AutoscaleMetric.KvCache, "models", "acme/chat"), "0.8"]]);
        const ttft = scaledObjectSpec(input({ metric: AutoscaleMetric.Ttft, target: 2 })).triggers as { metricType: string; metadata: Record<string, string> }[];
        expect(ttft.map((t) => [t.metricType, t.metadata.query, t.metadata.threshold])).toEqual([["Value", loadQuery(AutoscaleMetric.Ttft, "models", "acme/chat"), "2"]]);
    });
});

describe("scaledObjectSpec of a service that may scale to zero", () => {
    let spec: Record<string, unknown>;
    beforeEach(() => {
        spec = scaledObjectSpec(input({ min: 0, max: 2, metric: AutoscaleMetric.KvCache, target: 0.8, scaleDownDelaySeconds: 300 }));
    });

    it("adds the gateway's demand as a second trigger that only activates (threshold far above any rate)", () => {
        expect(spec.minReplicaCount).toBe(0);
        expect(spec.cooldownPeriod).toBe(300);
        expect(spec.triggers).toEqual([
            {
                type: "prometheus",
                name: "load",
                metricType: "Value",
                metadata: { serverAddress: prometheusUrl, query: `avg(vllm:kv_cache_usage_perc{${sel}}) or vector(0)`, threshold: "0.8", activationThreshold: "0" },
            },
            {
                type: "prometheus",
                name: "demand",
                metricType: "AverageValue",
                metadata: { serverAddress: prometheusUrl, query: demandQuery("models", "chat"), threshold: "1000000", activationThreshold: "0" },
            },
        ]);
    });
});
