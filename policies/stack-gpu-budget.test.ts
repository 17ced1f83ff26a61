import { beforeEach, describe, expect, it, vi } from "vitest";
import { catalogPriceDate, catalogRegion } from "../components/catalog/gpuInstances";
import { changed, compliantStack, eksNodeGroup, firstContainer, gatewayDeployment, vllmDeployment } from "./lib/fixtures";
import { stackViolationMessages, stackViolations, TestResource, unknownDuringPreview, urnOf } from "./lib/testing";

// The policy (its ScaledObject type among its constants) is a module constant: each test imports it afresh.
let stackGpuBudget: typeof import("./stack-gpu-budget").stackGpuBudget;
let instancePrice: typeof import("./stack-gpu-budget").instancePrice;

beforeEach(async () => {
    vi.resetModules();
    ({ stackGpuBudget, instancePrice } = await import("./stack-gpu-budget"));
});

const group = eksNodeGroup();
const deployment = vllmDeployment();
const without = (...names: string[]) => compliantStack().filter((r) => !names.includes(r.name));
const messages = (resources: TestResource[], config: object = {}) => stackViolationMessages(stackGpuBudget, resources, config);
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

    it("allows a stack exactly at its budget", async () => {
        expect(await messages(compliantStack(), { maxGpus: 4, maxUsdPerHour: 10, instanceTypes: { "g6e.12xlarge": { pricePerHourUsd: 10 } } })).toEqual([]);
    });

    it("lists node groups by name, whatever order the engine hands them in", async () => {
        const b = { ...changed(group, (p) => (p.nodeGroupName = "gpu-b")), name: "b" };
        const a = { ...changed(group, (p) => Object.assign(p, { nodeGroupName: "gpu-a", instanceTypes: ["g6e.xlarge"] })), name: "a" };
        expect(await messages([b, a], { maxGpus: 4, maxUsdPerHour: 12 })).toEqual([
            `The stack's EKS node groups run 5 GPUs at their desired sizes ("gpu-a": 1 × g6e.xlarge = 1 GPU, $1.86/hour; "gpu-b": 1 × g6e.12xlarge = 4 GPUs, $10.49/hour), over the budget of 4: ${raiseGpus}`,
            `The stack's EKS node groups cost $12.35/hour at their desired sizes ("gpu-a": 1 × g6e.xlarge = 1 GPU, $1.86/hour; "gpu-b": 1 × g6e.12xlarge = 4 GPUs, $10.49/hour), over the budget of $12.00/hour: ${raiseUsd}`,
        ]);
    });

    it("says 1 GPU, not 1 GPUs", async () => {
        const one = changed(group, (p) => (p.instanceTypes = ["g6e.xlarge"]));
        expect(await messages([one], { maxGpus: 0 })).toEqual([
            `The stack's EKS node groups run 1 GPU at their desired sizes ("gpu-l40s-*": 1 × g6e.xlarge = 1 GPU, $1.86/hour), over the budget of 0: ${raiseGpus}`,
        ]);
    });

    it("counts a node group once, not again for a component wrapping it with the same inputs (@pulumi/eks ManagedNodeGroup)", async () => {
        const component: TestResource = { type: "eks:index:ManagedNodeGroup", name: "gpu-l40s", props: structuredClone(group.props) };
        expect(await messages([group, component], { maxGpus: 4, maxUsdPerHour: 11 })).toEqual([]);
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

    it("asks for the price of each GPU instance type the table lacks", async () => {
        const old = changed(group, (p) => (p.instanceTypes = ["g4dn.xlarge", "g6e.12xlarge", "p3.2xlarge"]));
        expect(await messages([old])).toEqual([
            'EKS node group "gpu-l40s-*" runs g4dn.xlarge, p3.2xlarge, which the GPU price table lacks, so the budget cannot be checked: add "g4dn.xlarge": {"gpus": <GPUs>, "pricePerHourUsd": <price>}, "p3.2xlarge": {"gpus": <GPUs>, "pricePerHourUsd": <price>} to instanceTypes in the stack-gpu-budget policy config.',
        ]);
    });

    it("ignores CPU node groups", async () => {
        const cpu = changed(group, (p) => Object.assign(p, { instanceTypes: ["m7i.xlarge"], scalingConfig: { minSize: 0, desiredSize: 50, maxSize: 50 } }));
        expect(await messages([...without(group.name), cpu], { maxGpus: 4, maxUsdPerHour: 1 })).toEqual([]);
        // Priced in the config with no GPUs, it is still no GPU node group.
        expect(await messages([...without(group.name), cpu], { maxGpus: 4, maxUsdPerHour: 1, instanceTypes: { "m7i.xlarge": { gpus: 0, pricePerHourUsd: 0.2 } } })).toEqual([]);
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
        // Listed by name, whatever order the engine hands them in.
        expect(await messages([job, gatewayDeployment(), scaled], { maxGpus: 8 })).toEqual([
            `The stack's pods request 16 GPUs (Deployment "vllm-qwen-32b": 5 × 2 GPUs; Job "eval": 3 × 2 GPUs), over the budget of 8: ${raiseGpus}`,
        ]);
    });

    it("counts stopped services as nothing, and leaves them out of the list", async () => {
        const stopped = changed(deployment, (p) => (p.spec.replicas = 0));
        expect(await messages([stopped], { maxGpus: 0 })).toEqual([]);
        const other = changed(deployment, (p) => (p.metadata.name = "vllm-llama-8b"));
        expect(await messages([stopped, other], { maxGpus: 3 })).toEqual([`The stack's pods request 4 GPUs (Deployment "vllm-llama-8b": 2 × 2 GPUs), over the budget of 3: ${raiseGpus}`]);
    });

    it("skips pods whose GPUs are unknown during preview", async () => {
        const previewed = changed(deployment, (p) => (firstContainer(p).resources.limits = unknownDuringPreview));
        expect(await messages([previewed], { maxGpus: 0 })).toEqual([]);
    });

    it("skips a pod with one container's GPUs unknown during preview, not counting the others alone", async () => {
        const sidecar = { name: "sidecar", image: "busybox:1.37", resources: { limits: { "nvidia.com/gpu": "1" } } };
        const previewed = changed(deployment, (p) => {
            firstContainer(p).resources.limits = unknownDuringPreview;
            p.spec.template.spec.containers.push(sidecar);
        });
        expect(await messages([previewed], { maxGpus: 0 })).toEqual([]);
    });
});

describe("stack-gpu-budget as the pack declares it", () => {

    it("takes maxGpus (a whole number from 0, 16 by default), maxUsdPerHour (from 0, 100 by default) and instanceTypes rows of exactly gpus and pricePerHourUsd", () => {
        expect(stackGpuBudget.configSchema).toEqual({
            properties: {
                maxGpus: {
                    type: "integer",
                    minimum: 0,
                    default: 16,
                    description: "Most GPUs the stack may run: its EKS node groups at desired size, and its pods × replicas.",
                },
                maxUsdPerHour: {
                    type: "number",
                    minimum: 0,
                    default: 100,
                    description: `Most the stack's EKS GPU node groups may cost per hour at desired size (built-in prices: ${catalogRegion} on-demand, ${catalogPriceDate}).`,
                },
                instanceTypes: {
                    type: "object",
                    description: "Instance type → {gpus, pricePerHourUsd}, over the built-in price table (for other regions, discounts or types it lacks).",
                    additionalProperties: {
                        type: "object",
                        properties: { gpus: { type: "integer", minimum: 0 }, pricePerHourUsd: { type: "number", minimum: 0 } },
                        additionalProperties: false,
                    },
                },
            },
        });
    });
});
