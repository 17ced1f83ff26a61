import { IssueList } from "./issues";
import { defaultGatewayServiceType, defaults, GatewayLoadBalancerScheme, GatewayServiceType } from "./rules";
import { RawConfig } from "./schema";
import { GatewayConfig } from "./types";

/**
 * Resolves `gateway` and refuses what would put keys on a network in clear: an
 * internet-facing load balancer without TLS (neither `gateway.tls` in Envoy nor
 * `gateway.certificateArn` at the NLB).
 */
export function resolveGateway(raw: RawConfig["gateway"], clusterKind: "eks" | "kubeconfig", issues: IssueList): GatewayConfig {
    const gateway: GatewayConfig = {
        replicas: raw?.replicas ?? defaults.gatewayReplicas,
        serviceType: raw?.serviceType ?? defaultGatewayServiceType(clusterKind),
        hostname: raw?.hostname,
        tls: raw?.tls,
        maxRequestBodyMiB: raw?.maxRequestBodyMiB ?? defaults.maxRequestBodyMiB,
        image: raw?.image,
        defaultRequestsPerMinute: raw?.defaultRequestsPerMinute ?? defaults.keyRequestsPerMinute,
        scheme: raw?.scheme ?? defaults.gatewayScheme,
        certificateArn: raw?.certificateArn,
        loadBalancerSourceRanges: raw?.loadBalancerSourceRanges,
    };
    const loadBalancer = gateway.serviceType === GatewayServiceType.LoadBalancer;
    if (loadBalancer && gateway.scheme === GatewayLoadBalancerScheme.InternetFacing && !gateway.tls && !gateway.certificateArn) {
        issues.add(
            "gateway.scheme",
            gateway.scheme,
            "is a public endpoint without TLS: API keys would cross the internet in clear",
            'set gateway.certificateArn (an ACM certificate, TLS at the NLB) or gateway.tls (a kubernetes.io/tls Secret), or use scheme "internal"',
        );
    }
    if (gateway.tls && gateway.certificateArn) {
        issues.add("gateway.certificateArn", gateway.certificateArn, "and gateway.tls both ask for TLS", "keep one: certificateArn for TLS at the NLB, or tls for TLS in Envoy");
    }
    for (const [field, value] of [["scheme", raw?.scheme], ["certificateArn", raw?.certificateArn], ["loadBalancerSourceRanges", raw?.loadBalancerSourceRanges]] as const) {
        if (value !== undefined && !loadBalancer) {
            issues.add(`gateway.${field}`, value, `applies only to a LoadBalancer gateway (serviceType is ${gateway.serviceType})`, "remove it, or set gateway.serviceType to LoadBalancer");
        }
    }
    return gateway;
}
