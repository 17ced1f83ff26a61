import { describe, expect, it } from "vitest";
import { changed, compliantStack, eksNodeGroup, firstContainer, gatewayDeployment, vllmDeployment } from "./lib/fixtures";
import { stackViolations, TestResource, unknownDuringPreview, urnOf } from "./lib/testing";
import { instancePrice, stackGpuBudget } from "./stack-gpu-budget";

const group = eksNodeGroup();
const deployment = vllmDeployment();
const without = (...names: string[]) => compliantStack().filter((r) => !names.includes(r.name));
const messages = async (resources: TestResource[], config: object = {}) => (await stackViolations(stackGpuBudget, resources, config)).map((v) => v.message);
const raiseGpus = "lower the instances or GPUs of services (or the node groups' sizes), or raise maxGpus in the stack-gpu-budget policy config.";
const raiseUsd = "lower the instances or GPUs of services (or the node groups' sizes), or raise maxUsdPerHour in the stack-gpu-budget policy config.";

describe("stack-gpu-budget", () => {
    it("passes the compliant stack within the default budget (16 GPUs, $100/hour)", async () => {
        expect(await messages(compliantStack())).toEqual([]);
    });

    it("prices instances from the GPU catalog, with the pack config's overrides on top", () => {
        expect(instancePrice("g6e.12xlarge")).toEqual({ gpus: 4, pricePerHourUsd: 10.49264 });
        expect(instancePrice("g6e.12xlarge", { "g6e.12xlarge": { pricePerHourUsd: 4 } })).toEqual({ gpus: 4, pricePerHourUsd: 4 });
        expect(instancePrice("g4dn.xlarge")).toBeUndefined();
        expect(instancePrice("g4dn.xlarge", { "g4dn.xlarge": { gpus: 1, pricePerHourUsd: 0.526 } })).toEqual({ gpus: 1, pricePerHourUsd: 0.526 });
    });

    it("counts node groups at desired size and pods × replicas against maxGpus", async () => {
        expect(await messages(compliantStack(), { maxGpus: 3 })).toEqual([
            `The stack's EKS node groups run 4 GPUs at their desired sizes ("gpu-l40s-*": 1 × g6e.12xlarge = 4 GPUs, $10.49/hour), over the budget of 3: ${raiseGpus}`,
            `The stack's pods request 4 GPUs (Deployment "vllm-qwen-32b": 2 × 2 GPUs), over the budget of 3: ${raiseGpus}`,
        ]);
    });

    it("counts an autoscaled Deployment at its ScaledObject's maxReplicaCount, not at the replicas it runs now", async () => {
        const autoscaled = changed(deployment, (p) => delete p.spec.replicas);
        const scaledObject: TestResource = {
            type: "kubernetes:keda.sh/v1alpha1:ScaledObject",
            name: "model-services-qwen-32b-autoscaler-scaledobject",
            props: {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: { name: "vllm-qwen-32b", namespace: deployment.props.metadata.namespace },
                spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "vllm-qwen-32b" }, minReplicaCount: 0, maxReplicaCount: 5 },
            },
        };
        const stack = [...without(deployment.name), autoscaled, scaledObject];
        expect(await messages(stack, { maxGpus: 9 })).toEqual([
            `The stack's pods request 10 GPUs (Deployment "vllm-qwen-32b": 5 × 2 GPUs), over the budget of 9: ${raiseGpus}`,
        ]);
        expect(await messages(stack, { maxGpus: 10 })).toEqual([]);
    });

    it("rejects node groups scaled past the GPU budget", async () => {
        const scaled = changed(group, (p) => (p.scalingConfig.desiredSize = 2));
        expect(await messages([...without(group.name), scaled], { maxGpus: 6 })).toEqual([
            `The stack's EKS node groups run 8 GPUs at their desired sizes ("gpu-l40s-*": 2 × g6e.12xlarge = 8 GPUs, $20.99/hour), over the budget of 6: ${raiseGpus}`,
        ]);
    });

    it("rejects node groups that cost more per hour than the budget", async () => {
        expect(await messages(compliantStack(), { maxUsdPerHour: 10 })).toEqual([
            `The stack's EKS node groups cost $10.49/hour at their desired sizes ("gpu-l40s-*": 1 × g6e.12xlarge = 4 GPUs, $10.49/hour), over the budget of $10.00/hour: ${raiseUsd}`,
        ]);
        expect(await messages(compliantStack(), { maxUsdPerHour: 10, instanceTypes: { "g6e.12xlarge": { pricePerHourUsd: 6.5 } } })).toEqual([]);
    });

    it("counts the dearest of several instance types", async () => {
        const mixed = changed(group, (p) => (p.instanceTypes = ["g6.12xlarge", "g6e.12xlarge"]));
        expect(await messages([...without(group.name), mixed], { maxUsdPerHour: 10 })).toEqual([
            `The stack's EKS node groups cost $10.49/hour at their desired sizes ("gpu-l40s-*": 1 × g6e.12xlarge = 4 GPUs, $10.49/hour), over the budget of $10.00/hour: ${raiseUsd}`,
        ]);
        expect(await messages([...without(group.name), mixed], { maxUsdPerHour: 10.5 })).toEqual([]);
    });

    it("asks for a price when a GPU instance type is not in the table", async () => {
        const old = changed(group, (p) => (p.instanceTypes = ["g4dn.xlarge"]));
        expect(await stackViolations(stackGpuBudget, [...without(group.name), old])).toEqual([
            {
                message:
                    'EKS node group "gpu-l40s-*" runs g4dn.xlarge, which the GPU price table lacks, so the budget cannot be checked: add "g4dn.xlarge": {"gpus": <GPUs>, "pricePerHourUsd": <price>} to instanceTypes in the stack-gpu-budget policy config.',
                urn: urnOf(old),
            },
        ]);
        expect(await messages([...without(group.name), old], { instanceTypes: { "g4dn.xlarge": { gpus: 1, pricePerHourUsd: 0.526 } } })).toEqual([]);
    });

    it("ignores CPU node groups", async () => {
        const cpu = changed(group, (p) => Object.assign(p, { instanceTypes: ["m7i.xlarge"], scalingConfig: { minSize: 0, desiredSize: 50, maxSize: 50 } }));
        expect(await messages([...without(group.name), cpu], { maxGpus: 4, maxUsdPerHour: 1 })).toEqual([]);
    });

    it("counts pods on any cluster: Deployments, Jobs by parallelism, init containers by their peak", async () => {
        const job: TestResource = {
            type: "kubernetes:batch/v1:Job",
            name: "eval",
            props: {
                metadata: { name: "eval" },
                spec: {
                    parallelism: 3,
                    template: {
                        spec: {
                            initContainers: [{ name: "warm", resources: { limits: { "nvidia.com/gpu": 2 } } }],
                            containers: [{ name: "eval", resources: { limits: { "nvidia.com/gpu": 1 } } }],
                        },
                    },
                },
            },
        };
        const scaled = changed(deployment, (p) => (p.spec.replicas = 5));
        expect(await messages([scaled, job, gatewayDeployment()], { maxGpus: 8 })).toEqual([
            `The stack's pods request 16 GPUs (Deployment "vllm-qwen-32b": 5 × 2 GPUs; Job "eval": 3 × 2 GPUs), over the budget of 8: ${raiseGpus}`,
        ]);
    });

    it("counts stopped services as nothing", async () => {
        expect(await messages([changed(deployment, (p) => (p.spec.replicas = 0))], { maxGpus: 0 })).toEqual([]);
    });

    it("skips pods whose GPUs are unknown during preview", async () => {
        const previewed = changed(deployment, (p) => (firstContainer(p).resources.limits = unknownDuringPreview));
        expect(await messages([previewed], { maxGpus: 0 })).toEqual([]);
    });
});
