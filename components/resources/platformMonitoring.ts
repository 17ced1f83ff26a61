import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { gatewaySelector, platformLabels, typeTokenPrefix } from "../conventions";
import { gatewayPaths } from "../plan/gateway";

/** Label Grafana's dashboard sidecar (kube-prometheus-stack's default) loads ConfigMaps by. */
export const grafanaDashboardLabel = { grafana_dashboard: "1" } as const;

/** The Grafana dashboard in the repository: per service requests, queue, TTFT, tokens/s, KV-cache usage, instances. */
export function dashboardJson(): string {
    return readFileSync(path.join(__dirname, "dashboards", "model-services.json"), "utf8");
}

export interface PlatformMonitoringArgs {
    /** Namespace of the services, the gateway and the monitoring objects. */
    namespace: pulumi.Input<string>;
    /** Create PodMonitors (monitoring.coreos.com/v1) for vLLM and the gateway; the Prometheus Operator's CRDs must exist. @default false */
    podMonitors?: boolean;
    /** Ship the Grafana dashboard as a ConfigMap labelled `grafana_dashboard: "1"`. @default false */
    grafanaDashboard?: boolean;
}

/**
 * What Prometheus and Grafana need to watch the services: PodMonitors for vLLM's `/metrics`
 * and the gateway's Envoy stats (the signals KEDA scales on come from these scrapes), and the
 * dashboard. docs/autoscaling.md lists the metrics.
 */
export class PlatformMonitoring extends pulumi.ComponentResource {
    /** Names of the PodMonitors created; empty without `podMonitors`. */
    public readonly podMonitorNames: pulumi.Output<string[]>;
    /** Name of the dashboard ConfigMap; empty without `grafanaDashboard`. */
    public readonly dashboardConfigMapName: pulumi.Output<string>;

    constructor(name: string, args: PlatformMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:PlatformMonitoring`, name, {}, opts);
        const labels = { ...platformLabels };
        const monitors: pulumi.Output<string>[] = [];
        if (args.podMonitors) {
            const podMonitor = (role: string, objectName: string, matchLabels: Record<string, string>, port: string, metricsPath: string) =>
                new k8s.apiextensions.CustomResource(
                    `${name}-${role}`,
                    {
                        apiVersion: "monitoring.coreos.com/v1",
                        kind: "PodMonitor",
                        metadata: { name: objectName, namespace: args.namespace, labels },
                        // Every 30 s: KEDA's queries and the dashboard assume it (components/plan/scaledObject.ts).
                        spec: { selector: { matchLabels }, podMetricsEndpoints: [{ port, path: metricsPath, interval: "30s" }] },
                    },
                    { parent: this },
                ).metadata.name;
            monitors.push(podMonitor("vllm-monitor", "vllm", { "app.kubernetes.io/name": "vllm", "app.kubernetes.io/part-of": platformLabels["app.kubernetes.io/part-of"] }, "http", "/metrics"));
            monitors.push(podMonitor("gateway-monitor", "model-gateway", { ...gatewaySelector }, "metrics", gatewayPaths.metrics));
        }
        this.podMonitorNames = pulumi.all(monitors);
        this.dashboardConfigMapName = pulumi.output("");
        if (args.grafanaDashboard) {
            const dashboard = new k8s.core.v1.ConfigMap(
                `${name}-dashboard`,
                { metadata: { name: "model-services-dashboard", namespace: args.namespace, labels: { ...labels, ...grafanaDashboardLabel } }, data: { "model-services.json": dashboardJson() } },
                { parent: this },
            );
            this.dashboardConfigMapName = dashboard.metadata.name;
        }
        this.registerOutputs({ podMonitorNames: this.podMonitorNames, dashboardConfigMapName: this.dashboardConfigMapName });
    }
}
