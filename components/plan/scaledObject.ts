import { AutoscaleMetric } from "../config/rules";
import { AutoscaleConfig } from "../config/types";
import { serviceObjectName } from "../conventions";
import { kedaPollingSeconds } from "./autoscalePlan";
import { clusterName } from "./gateway/contract";

/**
 * A service's KEDA ScaledObject, as a pure function of its autoscale settings: what vLLM
 * signal to scale on (PromQL over vLLM's own metrics, selected by the service's served model
 * name) and, for services that may sit at zero, the gateway's demand for it as the activation
 * signal. docs/autoscaling.md explains the queries and targets.
 */

export interface ScaledObjectInput {
    namespace: string;
    /** Service name: the Deployment is `vllm-<name>`. */
    serviceName: string;
    /** vLLM's served model name, the `model_name` label of its metrics. */
    accessName: string;
    autoscale: AutoscaleConfig;
    /** Prometheus KEDA queries. */
    prometheusUrl: string;
}

/** Window of the rate() and histogram queries: four scrapes at Prometheus' default 30 s interval. */
export const queryWindow = "2m";

/** The PromQL of a service's load signal; 0 (not empty) when no instance reports. */
export function loadQuery(metric: AutoscaleMetric, namespace: string, accessName: string): string {
    const sel = `namespace="${namespace}",model_name="${accessName}"`;
    switch (metric) {
        case AutoscaleMetric.Queue:
            return `sum(vllm:num_requests_waiting{${sel}}) or vector(0)`;
        case AutoscaleMetric.KvCache:
            return `avg(vllm:kv_cache_usage_perc{${sel}}) or vector(0)`;
        case AutoscaleMetric.Ttft:
            // No requests in the window gives NaN; "> 0" drops it so the query answers 0.
            return `(histogram_quantile(0.9, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket{${sel}}[${queryWindow}]))) > 0) or vector(0)`;
    }
}

/**
 * Requests per second the gateway sent, or tried to send, to a service: upstream requests
 * plus requests that failed for want of a connection (a service at zero refuses every
 * connection, so this is what moves while it is scaled to zero).
 */
export function demandQuery(namespace: string, serviceName: string): string {
    return `sum(rate({__name__=~"envoy_cluster_upstream_rq_total|envoy_cluster_upstream_rq_pending_failure_eject",namespace="${namespace}",envoy_cluster_name="${clusterName(serviceName)}"}[${queryWindow}])) or vector(0)`;
}

/**
 * Queue is a total shared out per instance (HPA AverageValue: instances = ⌈total ÷ target⌉);
 * KV-cache usage and TTFT are already per instance (Value: instances scale by value ÷ target).
 */
function metricType(metric: AutoscaleMetric): "AverageValue" | "Value" {
    return metric === AutoscaleMetric.Queue ? "AverageValue" : "Value";
}

/** The demand trigger only wakes a service from zero; this threshold keeps it out of the 1 → max decision. */
const demandOnlyActivatesThreshold = 1_000_000;

/** The `spec` of a service's ScaledObject (keda.sh/v1alpha1). */
export function scaledObjectSpec(input: ScaledObjectInput): Record<string, unknown> {
    const { autoscale: a } = input;
    const prometheus = (name: string, type: string, query: string, threshold: number, activationThreshold: number) => ({
        type: "prometheus",
        name,
        metricType: type,
        metadata: { serverAddress: input.prometheusUrl, query, threshold: String(threshold), activationThreshold: String(activationThreshold) },
    });
    const triggers = [prometheus("load", metricType(a.metric), loadQuery(a.metric, input.namespace, input.accessName), a.target, 0)];
    if (a.min === 0) {
        triggers.push(prometheus("demand", "AverageValue", demandQuery(input.namespace, input.serviceName), demandOnlyActivatesThreshold, 0));
    }
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: serviceObjectName(input.serviceName) },
        minReplicaCount: a.min,
        maxReplicaCount: a.max,
        pollingInterval: kedaPollingSeconds,
        // Idle this long at 1 before going to 0.
        cooldownPeriod: a.scaleDownDelaySeconds,
        advanced: {
            horizontalPodAutoscalerConfig: {
                name: serviceObjectName(input.serviceName),
                behavior: {
                    // Add GPUs at once when load appears; remove one instance a minute after the load has stayed low for the delay.
                    scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Percent", value: 100, periodSeconds: 60 }] },
                    scaleDown: { stabilizationWindowSeconds: a.scaleDownDelaySeconds, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
                },
            },
        },
        triggers,
    };
}
