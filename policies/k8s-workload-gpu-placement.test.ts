import { describe, expect, it } from "vitest";
import { k8sWorkloadGpuPlacement } from "./k8s-workload-gpu-placement";
import { changed, compliantStack, devicePluginDaemonSet, firstContainer, gatewayDeployment, vllmDeployment } from "./lib/fixtures";
import { resourceViolations, unknownDuringPreview } from "./lib/testing";

const vllm = vllmDeployment();
const gateway = gatewayDeployment();
const podSpec = (p: Record<string, any>) => p.spec.template.spec;

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
