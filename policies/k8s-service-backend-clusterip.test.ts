import { StackValidationPolicy } from "@pulumi/policy";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { changed, compliantStack, gatewayService, vllmDeployment, vllmService } from "./lib/fixtures";
import { stackViolationMessages, stackViolations, TestResource, unknownDuringPreview, urnOf } from "./lib/testing";

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

/** The policy, imported afresh for each test: its route type tokens are module constants. */
let k8sServiceBackendClusterip: StackValidationPolicy;

beforeEach(async () => {
    vi.resetModules();
    ({ k8sServiceBackendClusterip } = await import("./k8s-service-backend-clusterip"));
});
const gatewayRoute = (type: string, backendRefs: Record<string, unknown>[]): TestResource => ({
    type,
    name: "models",
    props: { metadata: { name: "models", namespace: "model-services" }, spec: { rules: [{ backendRefs: backendRefs.map((ref) => ({ ...ref, port: 8000 })) }] } },
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

    it.each([
        ["networking.k8s.io/v1", "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"],
        ["networking.k8s.io/v1beta1", "kubernetes:gateway.networking.k8s.io/v1beta1:HTTPRoute"],
    ])("rejects an HTTPRoute of gateway.%s that names the backend as a Service, its kind given or left out", async (_, type) => {
        const route = gatewayRoute(type, [{ name: "vllm-qwen-32b" }, { kind: "Service", name: "vllm-qwen-32b" }, { kind: "Service", name: "model-gateway" }]);
        expect(await stackViolations(k8sServiceBackendClusterip, [...compliantStack(), route])).toEqual([
            {
                message:
                    'HTTPRoute "models" routes to Service "vllm-qwen-32b", which serves the vLLM pods of Deployment "vllm-qwen-32b": route to the API gateway\'s Service instead; it checks the caller\'s key.',
                urn: urnOf(route),
            },
        ]);
    });

    it.each([
        ["GRPCRoute", "v1"],
        ["TLSRoute", "v1alpha2"],
        ["TCPRoute", "v1alpha2"],
        ["UDPRoute", "v1alpha2"],
        ["HTTPRoute", "v1alpha2"],
    ])("rejects a %s (gateway.networking.k8s.io/%s) to the backend, as an HTTPRoute", async (kind, version) => {
        const route = gatewayRoute(`kubernetes:gateway.networking.k8s.io/${version}:${kind}`, [{ name: "vllm-qwen-32b" }]);
        expect(await stackViolations(k8sServiceBackendClusterip, [...compliantStack(), route])).toEqual([
            {
                message: `${kind} "models" routes to Service "vllm-qwen-32b", which serves the vLLM pods of Deployment "vllm-qwen-32b": route to the API gateway's Service instead; it checks the caller's key.`,
                urn: urnOf(route),
            },
        ]);
    });

    it.each([
        ["the Gateway itself", "kubernetes:gateway.networking.k8s.io/v1:Gateway"],
        ["a route kind of another API group", "kubernetes:example.com/v1:HTTPRoute"],
        ["a ReferenceGrant", "kubernetes:gateway.networking.k8s.io/v1beta1:ReferenceGrant"],
    ])("leaves alone %s, even shaped like a route to the backend", async (_, type) => {
        expect(await stackViolations(k8sServiceBackendClusterip, [...compliantStack(), gatewayRoute(type, [{ name: "vllm-qwen-32b" }])])).toEqual([]);
    });

    it.each([
        ["a rule's RequestMirror filter", { backendRefs: [{ name: "model-gateway", port: 8000 }], filters: [{ type: "RequestMirror", requestMirror: { backendRef: { name: "vllm-qwen-32b", port: 8000 } } }] }],
        [
            "a backend's own RequestMirror filter",
            { backendRefs: [{ name: "model-gateway", port: 8000, filters: [{ type: "RequestMirror", requestMirror: { backendRef: { name: "vllm-qwen-32b", port: 8000 } } }] }] },
        ],
    ])("rejects a route that mirrors requests to the backend through %s", async (_, rule) => {
        const route = changed(gatewayRoute("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", []), (p) => (p.spec.rules = [rule]));
        expect(await stackViolationMessages(k8sServiceBackendClusterip, [...compliantStack(), route])).toEqual([
            'HTTPRoute "models" routes to Service "vllm-qwen-32b", which serves the vLLM pods of Deployment "vllm-qwen-32b": route to the API gateway\'s Service instead; it checks the caller\'s key.',
        ]);
    });

    it.each(["group", "kind"])("waits for a backendRef whose %s is unknown during preview", async (field) => {
        const route = gatewayRoute("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", [{ name: "vllm-qwen-32b", [field]: unknownDuringPreview }]);
        expect(await stackViolations(k8sServiceBackendClusterip, [...compliantStack(), route])).toEqual([]);
    });

    describe("a route in another namespace (a ReferenceGrant lets it name the backend's)", () => {
        const elsewhere = (ref: Record<string, unknown>) => changed(gatewayRoute("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", [ref]), (p) => (p.metadata.namespace = "edge"));

        it("is rejected when its backendRef names the backend's namespace, its group given as core", async () => {
            const route = elsewhere({ group: "", kind: "Service", name: "vllm-qwen-32b", namespace: "model-services" });
            expect(await stackViolationMessages(k8sServiceBackendClusterip, [...compliantStack(), route])).toEqual([
                'HTTPRoute "models" routes to Service "vllm-qwen-32b", which serves the vLLM pods of Deployment "vllm-qwen-32b": route to the API gateway\'s Service instead; it checks the caller\'s key.',
            ]);
        });

        it.each([
            ["its own namespace, where no backend has that name", { name: "vllm-qwen-32b" }],
            ["a third namespace", { name: "vllm-qwen-32b", namespace: "other" }],
            ["a namespace unknown during preview (it waits)", { name: "vllm-qwen-32b", namespace: unknownDuringPreview }],
        ])("passes when its backendRef names %s", async (_, ref) => {
            expect(await stackViolations(k8sServiceBackendClusterip, [...compliantStack(), elsewhere(ref)])).toEqual([]);
        });
    });

    it("ignores an HTTPRoute backend of another kind in the core group", async () => {
        const route = gatewayRoute("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", [{ kind: "Endpoints", name: "vllm-qwen-32b" }]);
        expect(await stackViolations(k8sServiceBackendClusterip, [...compliantStack(), route])).toEqual([]);
    });

    it("ignores an HTTPRoute backend named Service in another API group", async () => {
        const route = gatewayRoute("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", [{ group: "example.com", kind: "Service", name: "vllm-qwen-32b" }]);
        expect(await stackViolations(k8sServiceBackendClusterip, [...compliantStack(), route])).toEqual([]);
    });

    it("ignores an HTTPRoute backend of another kind that shares the backend's name", async () => {
        const route = gatewayRoute("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", [{ group: "multicluster.x-k8s.io", kind: "ServiceImport", name: "vllm-qwen-32b" }]);
        expect(await stackViolations(k8sServiceBackendClusterip, [...compliantStack(), route])).toEqual([]);
    });

    it("counts a workload as vLLM when any of its containers runs vLLM (a sidecar beside it)", async () => {
        const withSidecar = changed(vllmDeployment(), (p) => p.spec.template.spec.containers.push({ name: "log-shipper", image: "fluent/fluent-bit:3.2.4" }));
        const bad = changed(backend, (p) => (p.spec.type = "NodePort"));
        expect(await stackViolationMessages(k8sServiceBackendClusterip, [withSidecar, bad])).toEqual([
            'Service "vllm-qwen-32b" exposes the vLLM pods of Deployment "vllm-qwen-32b" as NodePort: make it type ClusterIP; clients reach models only through the API gateway, which checks their key.',
        ]);
    });

    describe("a Service in front of two vLLM workloads (a canary beside the main Deployment)", () => {
        const canary = () => changed(vllmDeployment(), (p) => (p.metadata.name = "vllm-qwen-32b-canary"));
        const pods = 'Deployment "vllm-qwen-32b", Deployment "vllm-qwen-32b-canary"';

        it("names both workloads and every external IP", async () => {
            const bad = changed(backend, (p) => Object.assign(p.spec, { type: "LoadBalancer", externalIPs: ["203.0.113.10", "203.0.113.11"] }));
            expect(await stackViolations(k8sServiceBackendClusterip, [vllmDeployment(), canary(), bad])).toEqual([
                {
                    message: `Service "vllm-qwen-32b" exposes the vLLM pods of ${pods} as LoadBalancer: make it type ClusterIP; clients reach models only through the API gateway, which checks their key.`,
                    urn: urnOf(bad),
                },
                {
                    message: `Service "vllm-qwen-32b" exposes the vLLM pods of ${pods} on externalIPs 203.0.113.10, 203.0.113.11: remove spec.externalIPs; clients reach models only through the API gateway, which checks their key.`,
                    urn: urnOf(bad),
                },
            ]);
        });

        it("names both workloads when an Ingress routes to it", async () => {
            const route = ingress("vllm-qwen-32b");
            expect(await stackViolations(k8sServiceBackendClusterip, [vllmDeployment(), canary(), backend, route])).toEqual([
                {
                    message: `Ingress "public" routes to Service "vllm-qwen-32b", which serves the vLLM pods of ${pods}: route to the API gateway's Service instead; it checks the caller's key.`,
                    urn: urnOf(route),
                },
            ]);
        });
    });

    it.each([
        ["leaves its type out (ClusterIP)", (p: Record<string, any>) => delete p.spec.type],
        ["has a type unknown during preview", (p: Record<string, any>) => (p.spec.type = unknownDuringPreview)],
        ["has externalIPs unknown during preview", (p: Record<string, any>) => (p.spec.externalIPs = unknownDuringPreview)],
    ])("passes a backend Service that %s", async (_, change) => {
        expect(await stackViolations(k8sServiceBackendClusterip, [...others(), changed(backend, change)])).toEqual([]);
    });
});
