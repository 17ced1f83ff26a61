import { beforeAll, describe, expect, it } from "vitest";
import { installMocks, ofType, RegisteredResource, settle } from "./helpers/mocks";

let registered: RegisteredResource[];
let components: typeof import("../components");

beforeAll(async () => {
    registered = await installMocks();
    components = await import("../components");
    new components.ModelNetworkPolicy("np", { namespace: "model-services" });
    new components.ModelNetworkPolicy("np-scraped", {
        namespace: "model-services",
        metricsScraper: { namespaceLabels: { "kubernetes.io/metadata.name": "monitoring" }, podLabels: { "app.kubernetes.io/name": "prometheus" } },
    });
    await settle();
});

const policyOf = (name: string) => ofType(registered, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((r) => r.name === `${name}-policy`)!;

describe("ModelNetworkPolicy", () => {
    it("denies ingress to every model pod except from the gateway's pods, on vLLM's port", () => {
        const spec = policyOf("np").inputs.spec;
        expect(spec.policyTypes).toEqual(["Ingress"]);
        expect(spec.podSelector).toEqual({ matchExpressions: [{ key: components.serviceNameLabel, operator: "Exists" }] });
        expect(spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { ...components.gatewaySelector } } }], ports: [{ protocol: "TCP", port: components.vllmPort }] }]);
        expect(policyOf("np").inputs.metadata.name).toBe(components.modelNetworkPolicyName);
    });

    it("admits the metrics scraper, when given, on the port vLLM serves /metrics on", () => {
        expect(policyOf("np-scraped").inputs.spec.ingress[1]).toEqual({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
            ports: [{ protocol: "TCP", port: components.vllmPort }],
        });
    });

    it("selects what model pods carry and gateway pods do not", () => {
        expect(components.serviceLabels("test", "svc-1")).toHaveProperty(components.serviceNameLabel, "test");
        expect(components.gatewaySelector).not.toHaveProperty(components.serviceNameLabel);
    });
});
