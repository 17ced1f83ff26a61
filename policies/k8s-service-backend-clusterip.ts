import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
    containers,
    describe,
    isVllmContainer,
    knownPodLabels,
    KubernetesObject,
    kubernetesObject,
    sameNamespace,
    serviceSelector,
    serviceSelects,
    typeTokens,
    workload,
    Workload,
} from "./lib/kubernetes";
import { isUnknown, list, plain, record, str, strings } from "./lib/values";

const ingressType = "kubernetes:networking.k8s.io/v1:Ingress";
/** Gateway API routes of every kind and version: each sends traffic to `spec.rules[].backendRefs`. */
const gatewayRouteType = /^kubernetes:gateway\.networking\.k8s\.io\/v[0-9a-z]+:(HTTP|GRPC|TLS|TCP|UDP)Route$/;

interface Backend {
    service: KubernetesObject;
    urn: string;
    /** The vLLM workloads whose pods the Service selects. */
    serves: Workload[];
}

/** A Service a route sends traffic to: its name, and its namespace when the route names another. */
interface RoutedService {
    name: string;
    namespace?: string;
}

/**
 * The Services an Ingress or a Gateway API route sends traffic to. A route's backendRef is a
 * core Service when its group is "" and its kind "Service" (both the defaults), and may name
 * another namespace (allowed there by a ReferenceGrant).
 */
function routedServices(type: string, props: Record<string, any>): RoutedService[] {
    const spec = record(props.spec) ?? {};
    if (type === ingressType) {
        const backends = [record(spec.defaultBackend), ...list(spec.rules).flatMap((rule) => list(record(record(rule)?.http)?.paths).map((p) => record(record(p)?.backend)))];
        return backends.map((b) => str(record(b?.service)?.name)).flatMap((name) => (name === undefined ? [] : [{ name }]));
    }
    // Where a rule sends requests: its backends, and the backends its RequestMirror filters (the
    // rule's, or a backend's own) copy each request to.
    const mirrored = (filters: unknown) => list(filters).map((f) => record(record(record(f)?.requestMirror)?.backendRef));
    return list(spec.rules)
        .map(record)
        .flatMap((rule) => {
            const backends = list(rule?.backendRefs).map(record);
            return [...backends, ...mirrored(rule?.filters), ...backends.flatMap((b) => mirrored(b?.filters))];
        })
        .flatMap((ref) => {
            const name = str(ref?.name);
            // A group, kind or namespace not known until the update is checked then.
            if (name === undefined || isUnknown(ref?.group) || isUnknown(ref?.kind) || isUnknown(ref?.namespace)) {
                return [];
            }
            return (str(ref?.group) ?? "") === "" && (str(ref?.kind) ?? "Service") === "Service" ? [{ name, namespace: str(ref?.namespace) }] : [];
        });
}

/**
 * Model backends are reachable only inside the cluster: a Service that selects vLLM pods
 * is a ClusterIP Service without external IPs, and no Ingress or Gateway API route (HTTP, GRPC,
 * TLS, TCP, UDP) routes to it.
 * Everything from outside goes through the API gateway, which checks the caller's key.
 */
export const k8sServiceBackendClusterip: StackValidationPolicy = {
    name: "k8s-service-backend-clusterip",
    description: "Services that select vLLM pods are ClusterIP without external IPs, and no Ingress or Gateway API route routes to them: clients come in through the API gateway.",
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
            const selector = spec && serviceSelector(spec);
            if (!service || !spec || !selector) {
                continue;
            }
            const serves = vllmWorkloads.filter((w) => {
                const labels = knownPodLabels(w);
                return labels !== undefined && sameNamespace(w.namespace, service.namespace) && serviceSelects(selector, labels);
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

        for (const { r, props } of resources.filter(({ r }) => r.type === ingressType || gatewayRouteType.test(r.type))) {
            const route = kubernetesObject(r.type, props, r.name);
            if (!route) {
                continue;
            }
            const routed = routedServices(r.type, props);
            const backendsRouted = backends.filter((b) => routed.some((s) => s.name === b.service.name && sameNamespace(b.service.namespace, s.namespace ?? route.namespace)));
            for (const backend of backendsRouted) {
                reportViolation(
                    `${describe(route)} routes to ${describe(backend.service)}, which serves the vLLM pods of ${backend.serves.map(describe).join(", ")}: route to the API gateway's Service instead; it checks the caller's key.`,
                    r.urn,
                );
            }
        }
    },
};
