import { describe, expect, it } from "vitest";
import { k8sServiceBackendClusterip } from "./k8s-service-backend-clusterip";
import { changed, compliantStack, gatewayService, vllmDeployment, vllmService } from "./lib/fixtures";
import { stackViolations, TestResource, unknownDuringPreview, urnOf } from "./lib/testing";

const backend = vllmService();
const others = () => compliantStack().filter((r) => r.name !== backend.name);
const ingress = (backendName: string): TestResource => ({
    type: "kubernetes:networking.k8s.io/v1:Ingress",
    name: "public",
    props: {
        metadata: { name: "public", namespace: "model-services" },
        spec: { rules: [{ host: "llm.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: backendName, port: { number: 8000 } } } }] } }] },
    },
});

describe("k8s-service-backend-clusterip", () => {
    it("passes the compliant stack (its gateway Service is a LoadBalancer; it selects no vLLM pod)", async () => {
        expect(await stackViolations(k8sServiceBackendClusterip, compliantStack())).toEqual([]);
    });

    it.each([
        [
            "type NodePort",
            (p: Record<string, any>) => (p.spec.type = "NodePort"),
            'Service "vllm-qwen-32b" exposes the vLLM pods of Deployment "vllm-qwen-32b" as NodePort: make it type ClusterIP; clients reach models only through the API gateway, which checks their key.',
        ],
        [
            "type LoadBalancer",
            (p: Record<string, any>) => (p.spec.type = "LoadBalancer"),
            'Service "vllm-qwen-32b" exposes the vLLM pods of Deployment "vllm-qwen-32b" as LoadBalancer: make it type ClusterIP; clients reach models only through the API gateway, which checks their key.',
        ],
        [
            "external IPs",
            (p: Record<string, any>) => (p.spec.externalIPs = ["203.0.113.10"]),
            'Service "vllm-qwen-32b" exposes the vLLM pods of Deployment "vllm-qwen-32b" on externalIPs 203.0.113.10: remove spec.externalIPs; clients reach models only through the API gateway, which checks their key.',
        ],
    ])("rejects a vLLM backend Service with %s", async (_, change, message) => {
        const bad = changed(backend, change);
        expect(await stackViolations(k8sServiceBackendClusterip, [...others(), bad])).toEqual([{ message, urn: urnOf(bad) }]);
    });

    it("finds the backend by selector, whatever the Service is called or labelled", async () => {
        const handWritten = changed(backend, (p) => {
            p.metadata = { name: "llm-public", namespace: "model-services" };
            p.spec = { type: "NodePort", selector: { "app.kubernetes.io/instance": "vllm-qwen-32b" }, ports: [{ port: 80, targetPort: 8000 }] };
        });
        expect(await stackViolations(k8sServiceBackendClusterip, [...others(), handWritten])).toEqual([
            {
                message:
                    'Service "llm-public" exposes the vLLM pods of Deployment "vllm-qwen-32b" as NodePort: make it type ClusterIP; clients reach models only through the API gateway, which checks their key.',
                urn: urnOf(handWritten),
            },
        ]);
    });

    it("ignores Services in another namespace or selecting other pods", async () => {
        const elsewhere = changed(backend, (p) => Object.assign(p, { metadata: { name: "vllm-qwen-32b", namespace: "other" }, spec: { ...p.spec, type: "NodePort" } }));
        const gatewayAsNodePort = changed(gatewayService(), (p) => (p.spec.type = "NodePort"));
        expect(await stackViolations(k8sServiceBackendClusterip, [vllmDeployment(), elsewhere, gatewayAsNodePort])).toEqual([]);
    });

    it("matches by the workload's selector while its pod labels are unknown during preview", async () => {
        const previewed = changed(vllmDeployment(), (p) => (p.spec.template.metadata.labels = unknownDuringPreview));
        const bad = changed(backend, (p) => (p.spec.type = "NodePort"));
        expect((await stackViolations(k8sServiceBackendClusterip, [previewed, bad])).map((v) => v.urn)).toEqual([urnOf(bad)]);
    });

    it("rejects an Ingress that routes straight to a backend", async () => {
        const route = ingress("vllm-qwen-32b");
        expect(await stackViolations(k8sServiceBackendClusterip, [...compliantStack(), route, ingress("model-gateway")])).toEqual([
            {
                message:
                    'Ingress "public" routes to Service "vllm-qwen-32b", which serves the vLLM pods of Deployment "vllm-qwen-32b": route to the API gateway\'s Service instead; it checks the caller\'s key.',
                urn: urnOf(route),
            },
        ]);
    });

    it("rejects an HTTPRoute that routes straight to a backend", async () => {
        const route: TestResource = {
            type: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
            name: "models",
            props: { metadata: { name: "models", namespace: "model-services" }, spec: { rules: [{ backendRefs: [{ name: "vllm-qwen-32b", port: 8000 }] }] } },
        };
        expect(await stackViolations(k8sServiceBackendClusterip, [...compliantStack(), route])).toEqual([
            {
                message:
                    'HTTPRoute "models" routes to Service "vllm-qwen-32b", which serves the vLLM pods of Deployment "vllm-qwen-32b": route to the API gateway\'s Service instead; it checks the caller\'s key.',
                urn: urnOf(route),
            },
        ]);
    });
});
