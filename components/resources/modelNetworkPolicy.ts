import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { gatewaySelector, platformLabels, serviceNameLabel, typeTokenPrefix, vllmPort } from "../conventions";

/** Pods allowed to scrape vLLM's `/metrics` (Prometheus), selected by namespace and pod labels. */
export interface MetricsScraper {
    /** Labels of the scraper's namespace. @default {} (any namespace) */
    namespaceLabels?: Record<string, string>;
    /** Labels of the scraper's pods. */
    podLabels: Record<string, string>;
}

export interface ModelNetworkPolicyArgs {
    /** Namespace of the model pods and the gateway. */
    namespace: pulumi.Input<string>;
    /** The metrics scraper, admitted on vLLM's port. @default none */
    metricsScraper?: MetricsScraper;
    /** Labels for the policy. @default {} */
    labels?: Record<string, string>;
}

/** Name of the NetworkPolicy guarding the model pods. */
export const modelNetworkPolicyName = "model-pods-ingress";

/**
 * The gateway is the only way to a model: ingress to every model pod of the namespace is
 * denied except from the gateway's pods (and the metrics scraper, when given) on vLLM's
 * port. vLLM serves `/metrics` on its API port, so an admitted scraper can reach the API too.
 * Enforced only where the cluster's network plugin enforces NetworkPolicy (on EKS: the VPC
 * CNI with network policy enabled, or Calico/Cilium).
 */
export class ModelNetworkPolicy extends pulumi.ComponentResource {
    /** Name of the NetworkPolicy. */
    public readonly policyName: pulumi.Output<string>;

    constructor(name: string, args: ModelNetworkPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:ModelNetworkPolicy`, name, {}, opts);
        const port = [{ protocol: "TCP", port: vllmPort }];
        const from: k8s.types.input.networking.v1.NetworkPolicyPeer[] = [{ podSelector: { matchLabels: { ...gatewaySelector } } }];
        const ingress: k8s.types.input.networking.v1.NetworkPolicyIngressRule[] = [{ from, ports: port }];
        if (args.metricsScraper) {
            ingress.push({
                from: [{ namespaceSelector: { matchLabels: { ...args.metricsScraper.namespaceLabels } }, podSelector: { matchLabels: { ...args.metricsScraper.podLabels } } }],
                ports: port,
            });
        }
        const policy = new k8s.networking.v1.NetworkPolicy(
            `${name}-policy`,
            {
                metadata: { name: modelNetworkPolicyName, namespace: args.namespace, labels: { ...args.labels, ...platformLabels } },
                spec: {
                    // Every model pod, present and future, whatever its service.
                    podSelector: { matchExpressions: [{ key: serviceNameLabel, operator: "Exists" }] },
                    policyTypes: ["Ingress"],
                    ingress,
                },
            },
            { parent: this },
        );
        this.policyName = policy.metadata.name;
        this.registerOutputs({ policyName: this.policyName });
    }
}
