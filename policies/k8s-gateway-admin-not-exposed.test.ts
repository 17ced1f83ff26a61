import { describe, expect, it } from "vitest";
import { k8sGatewayAdminNotExposed } from "./k8s-gateway-admin-not-exposed";
import { changed, compliantStack, firstContainer, gatewayDeployment, gatewayService } from "./lib/fixtures";
import { stackViolations, urnOf } from "./lib/testing";

const service = gatewayService();
const deployment = gatewayDeployment();
const without = (...names: string[]) => compliantStack().filter((r) => !names.includes(r.name));

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
        expect((await stackViolations(k8sGatewayAdminNotExposed, [...without(service.name, deployment.name), mirrored, bad])).map((v) => v.message)).toEqual([
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
