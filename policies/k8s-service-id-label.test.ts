import { ResourceValidationPolicy } from "@pulumi/policy";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { changed, compliantStack, configMap, firstContainer, gatewayDeployment, gatewayLabels, vllmDeployment, vllmPdb, vllmPod, vllmService } from "./lib/fixtures";
import { resourceViolations, TestResource, unknownDuringPreview } from "./lib/testing";

const label = "model-services.io/service-id";
const dropLabel = (labels: Record<string, string>) => delete labels[label];
const missing = (object: string) =>
    `${object} belongs to a model service but has no ${label} label: set metadata.labels["${label}"] to the service's ID (ModelService.serviceId), as on the service's other objects.`;

const podsMissing = (object: string) => `The pods of ${object} carry no ${label} label: add it to the pod template's metadata.labels (billing counts pods by it).`;

/** A hand-written vLLM Deployment without any model-service label (the gateway's, running vLLM). */
const handWrittenVllm = (p: Record<string, any>) => {
    p.metadata.labels = {};
    p.spec.template.metadata.labels = { app: "llm" };
    firstContainer(p).image = "vllm/vllm-openai:v0.26.0";
};

/** The policy, imported afresh for each test: its name and description are module constants. */
let k8sServiceIdLabel: ResourceValidationPolicy;

beforeEach(async () => {
    vi.resetModules();
    ({ k8sServiceIdLabel } = await import("./k8s-service-id-label"));
});

describe("k8s-service-id-label", () => {

    it("passes every compliant fixture", async () => {
        for (const r of compliantStack()) {
            expect(await resourceViolations(k8sServiceIdLabel, r), r.name).toEqual([]);
        }
    });

    it.each<[string, TestResource, (p: Record<string, any>) => void, string[]]>([
        ["a Deployment without it", vllmDeployment(), (p) => dropLabel(p.metadata.labels), [missing('Deployment "vllm-qwen-32b"')]],
        [
            "a Deployment whose pods lack it",
            vllmDeployment(),
            (p) => dropLabel(p.spec.template.metadata.labels),
            [`The pods of Deployment "vllm-qwen-32b" carry no ${label} label: add it to the pod template's metadata.labels (billing counts pods by it).`],
        ],
        ["a Deployment with an empty one", vllmDeployment(), (p) => (p.metadata.labels[label] = ""), [missing('Deployment "vllm-qwen-32b"')]],
        ["a Service without it", vllmService(), (p) => dropLabel(p.metadata.labels), [missing('Service "vllm-qwen-32b"')]],
        ["a PodDisruptionBudget without it", vllmPdb(), (p) => dropLabel(p.metadata.labels), [missing('PodDisruptionBudget "vllm-qwen-32b"')]],
        ["an unlabelled Service selecting a model service", vllmService(), (p) => delete p.metadata.labels, [missing('Service "vllm-qwen-32b"')]],
        ["an unlabelled hand-written vLLM Deployment", gatewayDeployment(), handWrittenVllm, [missing('Deployment "model-gateway"'), podsMissing('Deployment "model-gateway"')]],
        [
            "an unlabelled vLLM Deployment with a sidecar beside vLLM",
            gatewayDeployment(),
            (p) => {
                handWrittenVllm(p);
                p.spec.template.spec.containers.push({ name: "log-shipper", image: "fluent/fluent-bit:3.2.4" });
            },
            [missing('Deployment "model-gateway"'), podsMissing('Deployment "model-gateway"')],
        ],
        ["a ConfigMap labelled with a service name", configMap(), (p) => (p.metadata.labels = { "model-services.io/service": "qwen-32b" }), [missing('ConfigMap "model-gateway-errors"')]],
        ["a ConfigMap labelled as vLLM's", configMap(), (p) => (p.metadata.labels = { "app.kubernetes.io/name": "vllm" }), [missing('ConfigMap "model-gateway-errors"')]],
        ["an unlabelled PodDisruptionBudget selecting a model service", vllmPdb(), (p) => delete p.metadata.labels, [missing('PodDisruptionBudget "vllm-qwen-32b"')]],
    ])("rejects %s", async (_, fixture, change, messages) => {
        expect(await resourceViolations(k8sServiceIdLabel, changed(fixture, change))).toEqual(messages);
    });

    it("waits for labels that are unknown during preview", async () => {
        const previewed = changed(vllmDeployment(), (p) => {
            p.metadata.labels = unknownDuringPreview;
            p.spec.template.metadata.labels = unknownDuringPreview;
        });
        expect(await resourceViolations(k8sServiceIdLabel, previewed)).toEqual([]);
    });

    it("asks a bare vLLM Pod for the label once: its labels are its pods' labels", async () => {
        const pod = changed(vllmPod(), (p) => (p.metadata = { name: "vllm-debug", namespace: "model-services", labels: { app: "llm" } }));
        expect(await resourceViolations(k8sServiceIdLabel, pod)).toEqual([missing('Pod "vllm-debug"')]);
    });

    it.each<[string, TestResource]>([
        ["an object labelled with another app's name", changed(configMap(), (p) => (p.metadata.labels = { "app.kubernetes.io/name": "envoy" }))],
        [
            "a shared ServiceMonitor selecting every vLLM Service (only Services and budgets select a service's pods)",
            {
                type: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
                name: "vllm-metrics",
                props: {
                    metadata: { name: "vllm", namespace: "model-services", labels: { ...gatewayLabels } },
                    spec: { selector: { matchLabels: { "app.kubernetes.io/name": "vllm" } }, endpoints: [{ port: "http", path: "/metrics" }] },
                },
            },
        ],
    ])("leaves alone %s", async (_, resource) => {
        expect(await resourceViolations(k8sServiceIdLabel, resource)).toEqual([]);
    });
});
