import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { changed, compliantStack, devicePluginDaemonSet, firstContainer, gatewayDeployment, vllmDeployment } from "./lib/fixtures";
import { resourceViolations, unknownDuringPreview } from "./lib/testing";

const vllm = vllmDeployment();
const gateway = gatewayDeployment();
const podSpec = (p: Record<string, any>) => p.spec.template.spec;

// The policy object and its taint text are module constants: each test imports the module afresh (docs/mutation.md).
let k8sWorkloadGpuPlacement: ResourceValidationPolicy;

beforeEach(async () => {
    vi.resetModules();
    ({ k8sWorkloadGpuPlacement } = await import("./k8s-workload-gpu-placement"));
});

describe("k8s-workload-gpu-placement", () => {
    it("passes every compliant fixture, the device plugin DaemonSet included", async () => {
        for (const r of compliantStack()) {
            expect(await resourceViolations(k8sWorkloadGpuPlacement, r), r.name).toEqual([]);
        }
    });

    it.each([
        ["a toleration of every NoSchedule taint with Exists", { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
        ["a toleration of every effect", { key: "nvidia.com/gpu", operator: "Exists" }],
        ["a toleration of every taint", { operator: "Exists" }],
    ])("accepts %s", async (_, toleration) => {
        expect(await resourceViolations(k8sWorkloadGpuPlacement, changed(vllm, (p) => (podSpec(p).tolerations = [toleration])))).toEqual([]);
    });

    it("accepts a required node affinity on the node-group label instead of a node selector", async () => {
        const byAffinity = changed(vllm, (p) => {
            delete podSpec(p).nodeSelector;
            podSpec(p).affinity = {
                nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "model-services.io/node-group", operator: "In", values: ["gpu-l40s"] }] }] } },
            };
        });
        expect(await resourceViolations(k8sWorkloadGpuPlacement, byAffinity)).toEqual([]);
    });

    it.each([
        [
            "a vLLM container without a GPU",
            (p: Record<string, any>) => {
                delete firstContainer(p).resources.requests["nvidia.com/gpu"];
                delete firstContainer(p).resources.limits["nvidia.com/gpu"];
            },
            'container "vllm" of Deployment "vllm-qwen-32b" runs vLLM without a GPU: set resources.limits["nvidia.com/gpu"] to its tensor-parallel size (the number of GPUs it serves on).',
        ],
        [
            "a GPU request without a limit",
            (p: Record<string, any>) => delete firstContainer(p).resources.limits["nvidia.com/gpu"],
            'container "vllm" of Deployment "vllm-qwen-32b" requests nvidia.com/gpu without a limit: set resources.limits["nvidia.com/gpu"] to 2 (Kubernetes allocates extended resources by their limit).',
        ],
        [
            "no toleration of the GPU taint",
            (p: Record<string, any>) => delete podSpec(p).tolerations,
            'Deployment "vllm-qwen-32b" runs on GPUs but does not tolerate the GPU taint nvidia.com/gpu=true:NoSchedule, so it cannot be scheduled on GPU nodes: add the toleration {key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule"}.',
        ],
        [
            "a toleration of another value",
            (p: Record<string, any>) => (podSpec(p).tolerations[0].value = "false"),
            'Deployment "vllm-qwen-32b" runs on GPUs but does not tolerate the GPU taint nvidia.com/gpu=true:NoSchedule, so it cannot be scheduled on GPU nodes: add the toleration {key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule"}.',
        ],
        [
            "a toleration of another effect",
            (p: Record<string, any>) => (podSpec(p).tolerations[0].effect = "NoExecute"),
            'Deployment "vllm-qwen-32b" runs on GPUs but does not tolerate the GPU taint nvidia.com/gpu=true:NoSchedule, so it cannot be scheduled on GPU nodes: add the toleration {key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule"}.',
        ],
        [
            "no node selector",
            (p: Record<string, any>) => delete podSpec(p).nodeSelector,
            'Deployment "vllm-qwen-32b" runs on GPUs but selects no GPU nodes: set spec.nodeSelector["model-services.io/node-group"] to the GPU node group it runs on (accepted labels: model-services.io/node-group).',
        ],
        [
            "a node selector on another label",
            (p: Record<string, any>) => (podSpec(p).nodeSelector = { "kubernetes.io/os": "linux" }),
            'Deployment "vllm-qwen-32b" runs on GPUs but selects no GPU nodes: set spec.nodeSelector["model-services.io/node-group"] to the GPU node group it runs on (accepted labels: model-services.io/node-group).',
        ],
    ])("rejects a GPU workload with %s", async (_, change, message) => {
        expect(await resourceViolations(k8sWorkloadGpuPlacement, changed(vllm, change))).toEqual([message]);
    });

    it("treats any container with a GPU limit as a GPU workload, vLLM or not", async () => {
        const trainer = changed(gateway, (p) => {
            firstContainer(p).resources.limits["nvidia.com/gpu"] = 1;
        });
        expect(await resourceViolations(k8sWorkloadGpuPlacement, trainer)).toEqual([
            'Deployment "model-gateway" runs on GPUs but does not tolerate the GPU taint nvidia.com/gpu=true:NoSchedule, so it cannot be scheduled on GPU nodes: add the toleration {key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule"}.',
            'Deployment "model-gateway" runs on GPUs but selects no GPU nodes: set spec.nodeSelector["model-services.io/node-group"] to the GPU node group it runs on (accepted labels: model-services.io/node-group).',
        ]);
    });

    it.each([
        [
            "tolerates the GPU taint",
            (p: Record<string, any>) => (podSpec(p).tolerations = [{ key: "nvidia.com/gpu", operator: "Exists" }]),
            'Deployment "model-gateway" requests no GPU but tolerates the GPU taint nvidia.com/gpu, so it can take the CPU and memory of GPU nodes: remove the toleration (node agents that must run on every GPU node belong in a DaemonSet).',
        ],
        [
            "tolerates every taint",
            (p: Record<string, any>) => (podSpec(p).tolerations = [{ operator: "Exists" }]),
            'Deployment "model-gateway" requests no GPU but tolerates the GPU taint nvidia.com/gpu, so it can take the CPU and memory of GPU nodes: remove the toleration (node agents that must run on every GPU node belong in a DaemonSet).',
        ],
    ])("rejects a workload without GPUs that %s", async (_, change, message) => {
        expect(await resourceViolations(k8sWorkloadGpuPlacement, changed(gateway, change))).toEqual([message]);
    });

    it("lets a workload without GPUs select a node group by label (CPU groups carry it too)", async () => {
        expect(await resourceViolations(k8sWorkloadGpuPlacement, changed(gateway, (p) => (podSpec(p).nodeSelector = { "model-services.io/node-group": "system" })))).toEqual([]);
    });

    it("lets DaemonSets without GPUs tolerate the taint (node agents)", async () => {
        expect(await resourceViolations(k8sWorkloadGpuPlacement, devicePluginDaemonSet())).toEqual([]);
    });

    it("accepts other node labels when configured", async () => {
        const byNodeGroup = changed(vllm, (p) => (podSpec(p).nodeSelector = { "eks.amazonaws.com/nodegroup": "gpu-l40s" }));
        expect(await resourceViolations(k8sWorkloadGpuPlacement, byNodeGroup, { gpuNodeLabels: ["model-services.io/node-group", "eks.amazonaws.com/nodegroup"] })).toEqual([]);
    });

    it("waits for tolerations and node selectors that are unknown during preview", async () => {
        const unknown = changed(vllm, (p) => {
            podSpec(p).tolerations = unknownDuringPreview;
            podSpec(p).nodeSelector = unknownDuringPreview;
        });
        expect(await resourceViolations(k8sWorkloadGpuPlacement, unknown)).toEqual([]);
    });
});

describe("k8s-workload-gpu-placement: what the pack shows and takes as config", () => {
    it("is configured by its GPU node labels (default: the node-group label)", () => {
        expect(k8sWorkloadGpuPlacement.configSchema).toEqual({
            properties: {
                gpuNodeLabels: {
                    type: "array",
                    items: { type: "string" },
                    default: ["model-services.io/node-group"],
                    description: "Node labels a GPU pod may select its nodes by (nodeSelector or required node affinity).",
                },
            },
        });
    });

    it("lists every accepted label in the node-selection message", async () => {
        const unselected = changed(vllm, (p) => delete podSpec(p).nodeSelector);
        expect(await resourceViolations(k8sWorkloadGpuPlacement, unselected, { gpuNodeLabels: ["eks.amazonaws.com/nodegroup", "model-services.io/node-group"] })).toEqual([
            'Deployment "vllm-qwen-32b" runs on GPUs but selects no GPU nodes: set spec.nodeSelector["eks.amazonaws.com/nodegroup"] to the GPU node group it runs on (accepted labels: eks.amazonaws.com/nodegroup, model-services.io/node-group).',
        ]);
    });
});

const noToleration =
    'Deployment "vllm-qwen-32b" runs on GPUs but does not tolerate the GPU taint nvidia.com/gpu=true:NoSchedule, so it cannot be scheduled on GPU nodes: add the toleration {key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule"}.';

describe("k8s-workload-gpu-placement: which tolerations admit the GPU taint", () => {
    it.each([
        ["the GPU key with Equal and its value", { key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }],
        ["the GPU key and value without an operator (Equal by default)", { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
    ])("accepts %s", async (_, toleration) => {
        expect(await resourceViolations(k8sWorkloadGpuPlacement, changed(vllm, (p) => (podSpec(p).tolerations = [toleration])))).toEqual([]);
    });

    it.each([
        ["another key with Exists", { key: "example.com/dedicated", operator: "Exists" }],
        ["no key with Equal (only Exists matches every key)", { operator: "Equal", value: "true", effect: "NoSchedule" }],
        ["the GPU key without an operator or value (Equal to the empty value)", { key: "nvidia.com/gpu", effect: "NoSchedule" }],
    ])("rejects %s", async (_, toleration) => {
        expect(await resourceViolations(k8sWorkloadGpuPlacement, changed(vllm, (p) => (podSpec(p).tolerations = [toleration])))).toEqual([noToleration]);
    });

    it("waits for a toleration with one field unknown during preview", async () => {
        const unknownValue = changed(vllm, (p) => (podSpec(p).tolerations = [{ key: "nvidia.com/gpu", operator: "Equal", value: unknownDuringPreview, effect: "NoSchedule" }]));
        expect(await resourceViolations(k8sWorkloadGpuPlacement, unknownValue)).toEqual([]);
    });
});

const noSelection =
    'Deployment "vllm-qwen-32b" runs on GPUs but selects no GPU nodes: set spec.nodeSelector["model-services.io/node-group"] to the GPU node group it runs on (accepted labels: model-services.io/node-group).';

/** The vLLM deployment selecting its nodes by these required node-affinity terms alone. */
function byAffinity(...terms: object[][]) {
    return changed(vllm, (p) => {
        delete podSpec(p).nodeSelector;
        podSpec(p).affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms.map((matchExpressions) => ({ matchExpressions })) } } };
    });
}

describe("k8s-workload-gpu-placement: node selection by required node affinity", () => {
    const nodeGroupIn = { key: "model-services.io/node-group", operator: "In", values: ["gpu-l40s"] };

    it.each([
        ["In on the node-group label", [[nodeGroupIn]]],
        ["Exists on the node-group label", [[{ key: "model-services.io/node-group", operator: "Exists" }]]],
        ["every term naming the node-group label", [[nodeGroupIn], [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }, nodeGroupIn]]],
    ])("accepts %s", async (_, terms) => {
        expect(await resourceViolations(k8sWorkloadGpuPlacement, byAffinity(...terms))).toEqual([]);
    });

    it.each([
        ["another label only", [[{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }]]],
        ["NotIn on the node-group label (it does not confine the pod)", [[{ key: "model-services.io/node-group", operator: "NotIn", values: ["system"] }]]],
        ["one term of two without the node-group label (terms are alternatives)", [[nodeGroupIn], [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }]]],
    ])("rejects %s", async (_, terms) => {
        expect(await resourceViolations(k8sWorkloadGpuPlacement, byAffinity(...terms))).toEqual([noSelection]);
    });
});

describe("k8s-workload-gpu-placement: GPU limits", () => {
    it("waits for a vLLM container whose GPU request is unknown during preview (no limit to ask for yet)", async () => {
        const unknownRequest = changed(vllm, (p) => {
            delete firstContainer(p).resources.limits["nvidia.com/gpu"];
            firstContainer(p).resources.requests["nvidia.com/gpu"] = unknownDuringPreview;
        });
        expect(await resourceViolations(k8sWorkloadGpuPlacement, unknownRequest)).toEqual([]);
    });
});
