import { describe, expect, it } from "vitest";
import { k8sServiceIdLabel } from "./k8s-service-id-label";
import { changed, compliantStack, firstContainer, gatewayDeployment, vllmDeployment, vllmPdb, vllmService } from "./lib/fixtures";
import { resourceViolations, TestResource, unknownDuringPreview } from "./lib/testing";

const label = "model-services.io/service-id";
const dropLabel = (labels: Record<string, string>) => delete labels[label];
const missing = (object: string) =>
    `${object} belongs to a model service but has no ${label} label: set metadata.labels["${label}"] to the service's ID (ModelService.serviceId), as on the service's other objects.`;

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
        [
            "an unlabelled hand-written vLLM Deployment",
            gatewayDeployment(),
            (p) => {
                p.metadata.labels = {};
                p.spec.template.metadata.labels = { app: "llm" };
                firstContainer(p).image = "vllm/vllm-openai:v0.26.0";
            },
            [missing('Deployment "model-gateway"'), `The pods of Deployment "model-gateway" carry no ${label} label: add it to the pod template's metadata.labels (billing counts pods by it).`],
        ],
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
});
