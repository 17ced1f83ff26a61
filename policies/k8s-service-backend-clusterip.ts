import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
    containers,
    describe,
    isVllmContainer,
    knownPodLabels,
    KubernetesObject,
    kubernetesObject,
    Labels,
    sameNamespace,
    selects,
    typeTokens,
    workload,
    Workload,
} from "./lib/kubernetes";
import { isUnknown, list, plain, record, str, strings } from "./lib/values";

const ingressType = "kubernetes:networking.k8s.io/v1:Ingress";
const httpRouteTypes = ["kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "kubernetes:gateway.networking.k8s.io/v1beta1:HTTPRoute"];

interface Backend {
    service: KubernetesObject;
    urn: string;
    /** The vLLM workloads whose pods the Service selects. */
    serves: Workload[];
}

/** Names of the Services an Ingress or HTTPRoute sends traffic to. */
function routedServices(type: string, props: Record<string, any>): string[] {
    const spec = record(props.spec) ?? {};
    if (type === ingressType) {
        const backends = [record(spec.defaultBackend), ...list(spec.rules).flatMap((rule) => list(record(record(rule)?.http)?.paths).map((p) => record(record(p)?.backend)))];
        return backends.map((b) => str(record(b?.service)?.name)).filter((n): n is string => n !== undefined);
    }
    return list(spec.rules)
        .flatMap((rule) => list(record(rule)?.backendRefs))
        .filter((ref) => (str(record(ref)?.kind) ?? "Service") === "Service")
        .map((ref) => str(record(ref)?.name))
        .filter((n): n is string => n !== undefined);
}

/**
 * Model backends are reachable only inside the cluster: a Service that selects vLLM pods
 * is a ClusterIP Service without external IPs, and no Ingress or HTTPRoute routes to it.
 * Everything from outside goes through the API gateway, which checks the caller's key.
 */
export const k8sServiceBackendClusterip: StackValidationPolicy = {
    name: "k8s-service-backend-clusterip",
    description: "Services that select vLLM pods are ClusterIP without external IPs, and no Ingress or HTTPRoute routes to them: clients come in through the API gateway.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = args.resources.map((r: PolicyResource) => ({ r, props: plain(r.props) as Record<string, any> }));
        const vllmWorkloads = resources
            .map(({ r, props }) => workload(r.type, props, r.name))
            .filter((w): w is Workload => w !== undefined && !isUnknown(w.podSpec) && containers(w.podSpec).some(isVllmContainer));

        const backends: Backend[] = [];
        for (const { r, props } of resources.filter(({ r }) => r.type === typeTokens.service)) {
            const service = kubernetesObject(r.type, props, r.name);
            const spec = record(props.spec);
            const selector = spec?.selector;
            if (!service || !spec || isUnknown(selector) || Object.values(record(selector) ?? {}).some(isUnknown)) {
                continue;
            }
            const serves = vllmWorkloads.filter((w) => {
                const labels = knownPodLabels(w);
                return labels !== undefined && sameNamespace(w.namespace, service.namespace) && selects((record(selector) ?? {}) as Labels, labels);
            });
            if (serves.length === 0) {
                continue;
            }
            backends.push({ service, urn: r.urn, serves });
            const pods = serves.map(describe).join(", ");
            const type = isUnknown(spec.type) ? undefined : (str(spec.type) ?? "ClusterIP");
            const externalIPs = isUnknown(spec.externalIPs) ? [] : strings(spec.externalIPs);
            if (type !== undefined && type !== "ClusterIP") {
                reportViolation(
                    `${describe(service)} exposes the vLLM pods of ${pods} as ${type}: make it type ClusterIP; clients reach models only through the API gateway, which checks their key.`,
                    r.urn,
                );
            }
            if (externalIPs.length > 0) {
                reportViolation(
                    `${describe(service)} exposes the vLLM pods of ${pods} on externalIPs ${externalIPs.join(", ")}: remove spec.externalIPs; clients reach models only through the API gateway, which checks their key.`,
                    r.urn,
                );
            }
        }

        for (const { r, props } of resources.filter(({ r }) => r.type === ingressType || httpRouteTypes.includes(r.type))) {
            const route = kubernetesObject(r.type, props, r.name);
            if (!route) {
                continue;
            }
            for (const name of new Set(routedServices(r.type, props))) {
                const backend = backends.find((b) => b.service.name === name && sameNamespace(b.service.namespace, route.namespace));
                if (backend) {
                    reportViolation(
                        `${describe(route)} routes to ${describe(backend.service)}, which serves the vLLM pods of ${backend.serves.map(describe).join(", ")}: route to the API gateway's Service instead; it checks the caller's key.`,
                        r.urn,
                    );
                }
            }
        }
    },
};
