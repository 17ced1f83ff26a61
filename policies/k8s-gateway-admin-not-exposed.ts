import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { gatewayComponent } from "../components/conventions";
import { gatewayPorts } from "../components/plan/gateway/contract";
import {
    Container,
    containers,
    describe,
    describeContainer,
    imageRepository,
    knownPodLabels,
    kubernetesObject,
    sameNamespace,
    serviceSelector,
    serviceSelects,
    typeTokens,
    workload,
    Workload,
} from "./lib/kubernetes";
import { isUnknown, list, num, plain, record, str } from "./lib/values";

export interface GatewayAdminConfig {
    /** Container ports of the gateway's admin interface, besides ports named `admin`. @default [9901] */
    adminPorts?: number[];
}

/** The platform gateway's admin port (Envoy's conventional 9901). */
export const gatewayAdminDefaults: { adminPorts: readonly number[] } = { adminPorts: [gatewayPorts.admin] };

/** Envoy, in any of its official image variants (`envoyproxy/envoy`, `envoyproxy/envoy-distroless`, …) from any registry. */
export function isEnvoyContainer(container: Container): boolean {
    const image = str(container.spec.image);
    return image !== undefined && /(^|\/)envoyproxy\/envoy(-[a-z-]+)?$/.test(imageRepository(image));
}

interface AdminPort {
    container: Container;
    /** Undefined when absent, or unknown during a preview. */
    containerPort?: number;
    name?: string;
    hostPort?: number;
}

/**
 * The label ApiGateway (components/resources/apiGateway.ts) gives its pods: it still marks the gateway
 * when `gateway.image` points at a mirror. Not imported, so the pack does not load the
 * Kubernetes SDK; test/policies.stack.test.ts checks it against the component.
 */
const gatewayPodLabel = ["app.kubernetes.io/component", gatewayComponent] as const;

/** A gateway pod's proxy containers (Envoy by image, or every container of a pod labelled as the gateway) and their admin ports. */
function gatewayOf(w: Workload, adminPorts: readonly number[]): { proxies: Container[]; admin: AdminPort[] } {
    const all = containers(isUnknown(w.podSpec) ? {} : w.podSpec);
    const envoy = all.filter(isEnvoyContainer);
    const labelled = !isUnknown(w.podLabels) && w.podLabels[gatewayPodLabel[0]] === gatewayPodLabel[1];
    const proxies = envoy.length > 0 ? envoy : labelled ? all : [];
    const admin = proxies
        .flatMap((container) =>
            list(container.spec.ports).map((p) => ({
                container,
                containerPort: num(record(p)?.containerPort),
                name: str(record(p)?.name),
                hostPort: num(record(p)?.hostPort),
            })),
        )
        .filter((p) => p.name?.toLowerCase() === "admin" || (p.containerPort !== undefined && adminPorts.includes(p.containerPort)));
    return { proxies, admin };
}

/**
 * The gateway's admin interface (Envoy's `/config_dump`, `/quitquitquit`, runtime
 * changes, the keys in its config) never leaves the pod: no Service targets it and no
 * container publishes it on the node with a hostPort. The gateway is any pod running
 * Envoy, or labelled as the platform's gateway.
 */
export const k8sGatewayAdminNotExposed: StackValidationPolicy = {
    name: "k8s-gateway-admin-not-exposed",
    description: "No Service targets the API gateway's admin port, and no gateway container publishes it with a hostPort.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            adminPorts: {
                type: "array",
                items: { type: "integer", minimum: 1, maximum: 65535 },
                default: [...gatewayAdminDefaults.adminPorts],
                description: "Container ports of the gateway's admin interface, besides ports named `admin`.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const adminPorts: readonly number[] = args.getConfig<GatewayAdminConfig>().adminPorts ?? gatewayAdminDefaults.adminPorts;
        const resources = args.resources.map((r: PolicyResource) => ({ r, props: plain(r.props) as Record<string, any> }));
        const gateways = resources
            .map(({ r, props }) => ({ r, w: workload(r.type, props, r.name) }))
            .filter((g): g is { r: PolicyResource; w: Workload } => g.w !== undefined)
            .map(({ r, w }) => ({ r, w, ports: gatewayOf(w, adminPorts) }))
            .filter(({ ports }) => ports.proxies.length > 0);

        for (const { r, w, ports } of gateways) {
            for (const p of ports.admin) {
                if (p.hostPort !== undefined) {
                    reportViolation(
                        `${describeContainer(p.container, w)} publishes its admin port ${p.containerPort ?? `"${p.name}"`} on the node as hostPort ${p.hostPort}: remove the hostPort; the admin interface stays on loopback (use kubectl port-forward to debug).`,
                        r.urn,
                    );
                }
            }
        }

        for (const { r, props } of resources.filter(({ r }) => r.type === typeTokens.service)) {
            const service = kubernetesObject(r.type, props, r.name);
            const spec = record(props.spec);
            const selector = spec && serviceSelector(spec);
            if (!service || !spec || !selector) {
                continue;
            }
            for (const { w, ports } of gateways) {
                const labels = knownPodLabels(w);
                if (labels === undefined || !sameNamespace(w.namespace, service.namespace) || !serviceSelects(selector, labels)) {
                    continue;
                }
                for (const port of list(spec.ports).map(record)) {
                    if (!port || isUnknown(port.targetPort) || isUnknown(port.port)) {
                        continue;
                    }
                    const servicePort = num(port.port);
                    const target = port.targetPort ?? servicePort;
                    const targetNumber = typeof target === "number" ? target : num(target);
                    const exposed =
                        targetNumber !== undefined
                            ? adminPorts.includes(targetNumber) || ports.admin.some((a) => a.containerPort === targetNumber)
                            : ports.admin.some((a) => a.name === target);
                    if (exposed) {
                        reportViolation(
                            `${describe(service)} exposes the admin interface of ${describe(w)} (port ${servicePort} → ${target}): remove that port from the Service; the admin interface stays on loopback (use kubectl port-forward to debug).`,
                            r.urn,
                        );
                    }
                }
            }
        }
    },
};
