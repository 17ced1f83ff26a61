import { beforeEach, describe, expect, it, vi } from "vitest";
import type { StackValidationPolicy } from "@pulumi/policy";
import { changed, compliantStack, firstContainer, gatewayDeployment, gatewayService, vllmService } from "./lib/fixtures";
import { stackViolationMessages, stackViolations, unknownDuringPreview, urnOf } from "./lib/testing";

const service = gatewayService();
const deployment = gatewayDeployment();
const without = (...names: string[]) => compliantStack().filter((r) => !names.includes(r.name));

// The policy object and its default admin ports are module constants: each test imports the module afresh (docs/mutation.md).
let k8sGatewayAdminNotExposed: StackValidationPolicy;
let isEnvoyContainer: typeof import("./k8s-gateway-admin-not-exposed").isEnvoyContainer;

beforeEach(async () => {
    vi.resetModules();
    ({ k8sGatewayAdminNotExposed, isEnvoyContainer } = await import("./k8s-gateway-admin-not-exposed"));
});

describe("k8s-gateway-admin-not-exposed", () => {
    it("passes the compliant stack (the admin port is declared but no Service targets it)", async () => {
        expect(await stackViolations(k8sGatewayAdminNotExposed, compliantStack())).toEqual([]);
    });

    it.each([
        ["by name", "admin", 'Service "model-gateway" exposes the admin interface of Deployment "model-gateway" (port 9000 → admin): remove that port from the Service; the admin interface stays on loopback (use kubectl port-forward to debug).'],
        ["by number", 9901, 'Service "model-gateway" exposes the admin interface of Deployment "model-gateway" (port 9000 → 9901): remove that port from the Service; the admin interface stays on loopback (use kubectl port-forward to debug).'],
    ])("rejects a Service port that targets the admin port %s", async (_, targetPort, message) => {
        const bad = changed(service, (p) => p.spec.ports.push({ name: "admin", port: 9000, targetPort }));
        expect(await stackViolations(k8sGatewayAdminNotExposed, [...without(service.name), bad])).toEqual([{ message, urn: urnOf(bad) }]);
    });

    it("rejects a Service port 9901 without a targetPort (it targets 9901) even when the pod does not declare it", async () => {
        const undeclared = changed(deployment, (p) => (firstContainer(p).ports = firstContainer(p).ports.filter((port: any) => port.name !== "admin")));
        const bad = changed(service, (p) => p.spec.ports.push({ name: "debug", port: 9901 }));
        expect(await stackViolations(k8sGatewayAdminNotExposed, [...without(service.name, deployment.name), undeclared, bad])).toEqual([
            {
                message:
                    'Service "model-gateway" exposes the admin interface of Deployment "model-gateway" (port 9901 → 9901): remove that port from the Service; the admin interface stays on loopback (use kubectl port-forward to debug).',
                urn: urnOf(bad),
            },
        ]);
    });

    it("rejects an admin port published on the node", async () => {
        const bad = changed(deployment, (p) => (firstContainer(p).ports[2].hostPort = 9901));
        expect(await stackViolations(k8sGatewayAdminNotExposed, [...without(deployment.name), bad])).toEqual([
            {
                message:
                    'container "envoy" of Deployment "model-gateway" publishes its admin port 9901 on the node as hostPort 9901: remove the hostPort; the admin interface stays on loopback (use kubectl port-forward to debug).',
                urn: urnOf(bad),
            },
        ]);
    });

    it("names an admin port whose number is unknown during preview by its name when it is published on the node", async () => {
        const bad = changed(deployment, (p) => Object.assign(firstContainer(p).ports[2], { containerPort: unknownDuringPreview, hostPort: 9901 }));
        expect(await stackViolations(k8sGatewayAdminNotExposed, [...without(deployment.name), bad])).toEqual([
            {
                message:
                    'container "envoy" of Deployment "model-gateway" publishes its admin port "admin" on the node as hostPort 9901: remove the hostPort; the admin interface stays on loopback (use kubectl port-forward to debug).',
                urn: urnOf(bad),
            },
        ]);
    });

    it("does not take a port whose number is unknown during preview for the admin port a Service targets by number", async () => {
        const unknownNumber = changed(deployment, (p) => Object.assign(firstContainer(p).ports[2], { containerPort: unknownDuringPreview }));
        const withMinusOne = changed(service, (p) => p.spec.ports.push({ name: "probe", port: 9000, targetPort: -1 }));
        expect(await stackViolations(k8sGatewayAdminNotExposed, [...without(deployment.name, service.name), unknownNumber, withMinusOne])).toEqual([]);
    });

    it("finds the gateway by its Envoy image, whatever its labels", async () => {
        const relabelled = changed(deployment, (p) => {
            p.spec.selector.matchLabels = { app: "edge" };
            p.spec.template.metadata.labels = { app: "edge" };
            firstContainer(p).image = "docker.io/envoyproxy/envoy-distroless:v1.36.2";
        });
        const bad: typeof service = { ...service, name: "edge-admin", props: { metadata: { name: "edge-admin", namespace: "model-services" }, spec: { type: "ClusterIP", selector: { app: "edge" }, ports: [{ port: 9901 }] } } };
        expect((await stackViolations(k8sGatewayAdminNotExposed, [...without(deployment.name), relabelled, bad])).map((v) => v.urn)).toEqual([urnOf(bad)]);
    });

    it("finds the platform's gateway by its label when its image is a mirror", async () => {
        const mirrored = changed(deployment, (p) => (firstContainer(p).image = "mirror.example.com/edge/proxy:1.36"));
        const bad = changed(service, (p) => p.spec.ports.push({ name: "admin", port: 9000, targetPort: "admin" }));
        expect(await stackViolationMessages(k8sGatewayAdminNotExposed, [...without(service.name, deployment.name), mirrored, bad])).toEqual([
            'Service "model-gateway" exposes the admin interface of Deployment "model-gateway" (port 9000 → admin): remove that port from the Service; the admin interface stays on loopback (use kubectl port-forward to debug).',
        ]);
        const unlabelled = changed(mirrored, (p) => delete p.spec.template.metadata.labels["app.kubernetes.io/component"]);
        expect(await stackViolations(k8sGatewayAdminNotExposed, [...without(service.name, deployment.name), unlabelled, bad])).toEqual([]);
    });

    it("takes other admin ports from the pack config", async () => {
        const moved = changed(deployment, (p) => (firstContainer(p).ports[2] = { name: "envoy-admin", containerPort: 15000 }));
        const bad = changed(service, (p) => p.spec.ports.push({ name: "x", port: 15000, targetPort: "envoy-admin" }));
        const stack = [...without(service.name, deployment.name), moved, bad];
        expect(await stackViolations(k8sGatewayAdminNotExposed, stack)).toEqual([]);
        expect((await stackViolations(k8sGatewayAdminNotExposed, stack, { adminPorts: [15000] })).map((v) => v.urn)).toEqual([urnOf(bad)]);
    });
});

describe("k8s-gateway-admin-not-exposed: what the pack shows and takes as config", () => {
    it("is configured by its admin ports (default: Envoy's 9901)", () => {
        expect(k8sGatewayAdminNotExposed.configSchema).toEqual({
            properties: {
                adminPorts: {
                    type: "array",
                    items: { type: "integer", minimum: 1, maximum: 65535 },
                    default: [9901],
                    description: "Container ports of the gateway's admin interface, besides ports named `admin`.",
                },
            },
        });
    });
});

describe("k8s-gateway-admin-not-exposed: which containers run Envoy", () => {
    const container = (image: string) => ({ name: "proxy", role: "container", spec: { image } });

    it.each(["envoyproxy/envoy:v1.36.2", "docker.io/envoyproxy/envoy-distroless:v1.36.2", "mirror.example.com/envoyproxy/envoy-contrib@sha256:0123"])("%s is Envoy", (image) => {
        expect(isEnvoyContainer(container(image))).toBe(true);
    });

    it.each(["envoyproxy/envoyctl:v1", "example/not-envoyproxy/envoy:v1", "envoyproxy/ratelimit:v1"])("%s is not", (image) => {
        expect(isEnvoyContainer(container(image))).toBe(false);
    });

    it("a container without an image is not", () => {
        expect(isEnvoyContainer({ name: "proxy", role: "container", spec: {} })).toBe(false);
    });
});

const exposes = (target: string | number, port = 9000) =>
    `Service "model-gateway" exposes the admin interface of Deployment "model-gateway" (port ${port} → ${target}): remove that port from the Service; the admin interface stays on loopback (use kubectl port-forward to debug).`;

describe("k8s-gateway-admin-not-exposed: which Service ports reach the admin interface", () => {
    it("lets a Service target the gateway's public listener by number", async () => {
        const byNumber = changed(service, (p) => (p.spec.ports = [{ name: "http", port: 80, targetPort: 8080 }]));
        expect(await stackViolations(k8sGatewayAdminNotExposed, [...without(service.name), byNumber])).toEqual([]);
    });

    it("takes a port named admin as the admin port whatever its number, besides the configured ones", async () => {
        const moved = changed(deployment, (p) => {
            firstContainer(p).ports[2].containerPort = 9902;
            firstContainer(p).ports.push({ name: "envoy-admin", containerPort: 15000 });
        });
        const bad = changed(service, (p) => p.spec.ports.push({ name: "x", port: 9000, targetPort: 9902 }, { name: "y", port: 9001, targetPort: 15000 }));
        expect(await stackViolations(k8sGatewayAdminNotExposed, [...without(service.name, deployment.name), moved, bad], { adminPorts: [15000] })).toEqual([
            { message: exposes(9902), urn: urnOf(bad) },
            { message: exposes(15000, 9001), urn: urnOf(bad) },
        ]);
    });

    it("leaves the admin port number alone on pods that are not the gateway", async () => {
        const metrics = changed(vllmService(), (p) => p.spec.ports.push({ name: "metrics", port: 9901, targetPort: 9901 }));
        expect(await stackViolations(k8sGatewayAdminNotExposed, [...without(metrics.name), metrics])).toEqual([]);
    });

    it("reads Services only, not other kinds with a selector and ports", async () => {
        const custom = { type: "kubernetes:example.com/v1:PortMap", name: "gateway-ports", props: { metadata: { name: "gateway-ports", namespace: "model-services" }, spec: { selector: { ...service.props.spec.selector }, ports: [{ port: 9901 }] } } };
        expect(await stackViolations(k8sGatewayAdminNotExposed, [...compliantStack(), custom])).toEqual([]);
    });
});
