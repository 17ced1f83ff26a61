import { describe, expect, it } from "vitest";
import { catalogPriceDate, catalogRegion } from "../catalog/gpuInstances";
import { IssueList } from "../config/issues";
import { parseConfig } from "../config/parse";
import { nodesNeeded, planCapacity } from "./capacity";
import { planPlatform } from "./platformPlan";
import { config, plan, problems } from "../../test/helpers/planConfig";

const llama8b = "meta-llama/Llama-3.1-8B-Instruct";
/** A model outside the catalog with no head or context facts: any gpus is a valid tensor-parallel size and no context is checked. */
const tiny = { model: "acme/tiny", architecture: { paramsBillions: 1 } };

describe("nodesNeeded", () => {
    it("needs no node for pods that ask for no GPUs", () => {
        expect(nodesNeeded([0], 4)).toBe(0);
        expect(nodesNeeded([0, 0, 0], 1)).toBe(0);
        expect(nodesNeeded([0, 2, 0, 2], 4)).toBe(1);
    });
});

describe("planCapacity's own totals", () => {
    it("sums the GPU groups' whole nodes, leaving the cluster's price and the simulation flag to priceCluster", () => {
        const raw = {
            owner: "u-test",
            cluster: { kind: "kubeconfig", simulated: true },
            nodeGroups: [
                { name: "small", instanceType: "g6.xlarge", minSize: 0, maxSize: 4 },
                { name: "large", instanceType: "g6e.12xlarge", minSize: 0, maxSize: 4 },
            ],
            services: [
                { name: "chat", model: "Qwen/Qwen3-8B", instances: 2, nodeGroup: "small", maxModelLen: 8192 },
                { name: "big", model: "Qwen/Qwen3-32B", instances: 1, gpus: 2, nodeGroup: "large", maxModelLen: 8192 },
            ],
        };
        const { plan: drafts, issues } = planPlatform(parseConfig(raw, { stack: "test" }));
        expect(issues).toEqual([]);
        const gpuTotals = planCapacity(drafts.services, drafts.nodeGroups, new IssueList());
        // 2 × g6.xlarge at 0.8048 plus 1 × g6e.12xlarge at 10.49264.
        expect(gpuTotals).toEqual({
            totalGpus: 6,
            requestedGpus: 4,
            pricePerHourUsd: 12.1022,
            gpuNodesPricePerHourUsd: 0,
            cpuNodesPricePerHourUsd: 0,
            controlPlanePricePerHourUsd: 0,
            idleGpus: 0,
            idleGpuPricePerHourUsd: 0,
            simulated: false,
            priceRegion: catalogRegion,
            priceDate: catalogPriceDate,
        });
        // The cluster's price adds the system group (0.2016) and the simulated control plane (0.1).
        expect(drafts.capacity).toMatchObject({ simulated: true, gpuNodesPricePerHourUsd: 12.1022, pricePerHourUsd: 12.4038 });
    });
});

describe("a node group's size from its demand", () => {
    it("names only the services that run instances when the demand exceeds maxSize", () => {
        expect(
            problems(
                config({ instanceType: "g6.xlarge", maxSize: 2 }, [
                    { model: "Qwen/Qwen3-8B", instances: 3, maxModelLen: 8192 },
                    { model: "Qwen/Qwen3-8B", instances: 0, maxModelLen: 8192 },
                ]),
            ),
        ).toEqual([
            'nodeGroups[0].maxSize: is too small: the services placed on "gpu" (svc-0 3×1) need 3 g6.xlarge nodes, got 2. Raise maxSize to at least 3, or lower those services\' instances.',
        ]);
    });
});

describe("the size the planner picks from a family", () => {
    it("skips sizes whose GPUs cannot hold a service's weights, however cheap", () => {
        const p = plan(config({ family: "g6" }, [{ model: "Qwen/Qwen3-32B", maxModelLen: 8192 }]));
        expect(p.nodeGroups[0]).toMatchObject({ instanceType: "g6.12xlarge", gpusPerNode: 4, desiredSize: 1 });
        expect(p.services[0].gpus).toBe(4);
    });

    it("prefers a size that holds the full context over a cheaper one that holds only the weights", () => {
        // One L4 holds Llama 3.1 8B's weights but only 28736 of its 131072 tokens; two hold all of them.
        const p = plan(config({ family: "g6" }, [{ model: llama8b }]));
        expect(p.nodeGroups[0]).toMatchObject({ instanceType: "g6.12xlarge", desiredSize: 1 });
        expect(p.services[0].gpus).toBe(2);
    });

    it("needs the context of every service placed on the group to fit, not just one's", () => {
        // Qwen3 0.6B alone would take the cheapest 1-GPU size.
        const p = plan(config({ family: "g6" }, [{ model: llama8b }, { model: "Qwen/Qwen3-0.6B" }]));
        expect(p.nodeGroups[0]).toMatchObject({ instanceType: "g6.12xlarge", desiredSize: 1, capacity: { totalGpus: 4, requestedGpus: 3 } });
        expect(p.services.map((s) => s.gpus)).toEqual([2, 1]);
    });

    it("compares the cost of the whole nodes each size needs, not each size's price", () => {
        // 3 + 3 + 2 GPUs: three g6.12xlarge (4 GPUs, 4.6016 each) cost 13.8048, one g6.48xlarge (8 GPUs) 13.3504.
        const p = plan(config({ family: "g6" }, [{ ...tiny, gpus: 3 }, { ...tiny, gpus: 3 }, { ...tiny, gpus: 2 }]));
        expect(p.nodeGroups[0]).toMatchObject({ instanceType: "g6.48xlarge", desiredSize: 1, capacity: { pricePerHourUsd: 13.3504, idleGpus: 0 } });
    });
});

describe("a family none of whose sizes works", () => {
    it("names the largest gpus asked for that no size has", () => {
        expect(problems(config({ family: "g6e" }, [{ model: "Qwen/Qwen3-0.6B", gpus: 2 }, { model: "Qwen/Qwen3-0.6B", gpus: 16 }, { model: "Qwen/Qwen3-0.6B", gpus: 12 }]))).toEqual([
            'nodeGroups[0].family: has no size with 16 GPUs per node, got "g6e". Pick a family with larger sizes, or lower the services\' gpus.',
        ]);
    });

    it("blames the GPU memory, not the GPU count, when a service's own gpus are within the family's sizes", () => {
        expect(problems(config({ family: "g6" }, [{ model: "Qwen/Qwen3-32B", gpus: 1, maxModelLen: 8192 }]))).toEqual([
            'nodeGroups[0].family: has no size whose GPUs hold Qwen/Qwen3-32B (services[0], about 61.1 GiB of weights), got "g6". Pick a family with more GPU memory: g6.12xlarge (gpus: 4), the cheapest catalog instance type that fits, or use a quantized checkpoint.',
        ]);
    });

    it("blames the GPU memory when a service asks for exactly the GPUs of the family's largest size", () => {
        expect(problems(config({ family: "p4d" }, [{ model: "acme/huge", architecture: { paramsBillions: 300 }, gpus: 8 }]))).toEqual([
            'nodeGroups[0].family: has no size whose GPUs hold acme/huge (services[0], about 558.8 GiB of weights), got "p4d". Pick a family with more GPU memory: p5e.48xlarge (gpus: 8), the cheapest catalog instance type that fits, or use a quantized checkpoint.',
        ]);
    });

    it("reports a service whose own gpus the small sizes lack and the large ones cannot fill with its weights", () => {
        // g6.xlarge has 1 GPU (too few for gpus 2); on the larger sizes, 2 L4s (48 GB) cannot hold 131 GiB.
        expect(problems(config({ family: "g6" }, [{ model: "meta-llama/Llama-3.3-70B-Instruct", gpus: 2, maxModelLen: 8192 }]))).toEqual([
            'nodeGroups[0].family: has no size whose GPUs hold meta-llama/Llama-3.3-70B-Instruct (services[0], about 131.5 GiB of weights), got "g6". Pick a family with more GPU memory: g6e.12xlarge (gpus: 4), the cheapest catalog instance type that fits, or use a quantized checkpoint.',
        ]);
    });

    it("reports a GPU count vLLM refuses for the model, with the counts the family's largest size allows", () => {
        expect(problems(config({ family: "g6" }, [{ model: llama8b, gpus: 3, maxModelLen: 8192 }]))).toEqual([
            'services[0].gpus: is a tensor-parallel size the pinned vLLM (v0.26.0) refuses for meta-llama/Llama-3.1-8B-Instruct: its 32 attention heads are not divisible by 3 (vLLM: "Total number of attention heads (32) must be divisible by tensor parallel size (3)"), got 3. Set gpus to one of 1, 2, 4, 8 (the sizes up to g6.48xlarge\'s 8 GPUs that divide the model), or leave it out and the planner picks one.',
        ]);
    });

    it("names only the services that no size holds, not those the larger sizes do", () => {
        // Qwen3 32B fits on g6.12xlarge; Qwen-Image keeps a whole copy on each GPU and no L4 holds it.
        expect(problems(config({ family: "g6" }, [{ model: "Qwen/Qwen-Image", task: "image-generation" }, { model: "Qwen/Qwen3-32B", maxModelLen: 8192 }]))).toEqual([
            'nodeGroups[0].family: has no size whose GPUs hold Qwen/Qwen-Image (services[0], about 53.6 GiB of weights), got "g6". Pick a family with more GPU memory: p5.4xlarge (gpus: 1), the cheapest catalog instance type that fits, or use a quantized checkpoint.',
        ]);
    });
});

describe("misfit messages", () => {
    it("counts a node's GPUs in the plural", () => {
        expect(problems(config({ instanceType: "g6e.12xlarge" }, [{ model: "Qwen/Qwen3-0.6B", gpus: 8 }]))).toEqual([
            'services[0].gpus: is more than one node of node group "gpu" has (g6e.12xlarge: 4 GPUs), got 8. Lower gpus to at most 4, or place the service on a node group with a larger instance type.',
        ]);
    });

    it("offers no other place when no catalog instance type holds the context", () => {
        const long = { model: "acme/long", architecture: { paramsBillions: 8, layers: 32, kvHeads: 8, headDim: 128, maxContext: 100_000_000 } };
        expect(problems(config({ instanceType: "g6.xlarge" }, [{ ...long, gpus: 1, maxModelLen: 100_000_000 }]))).toEqual([
            "services[0].maxModelLen: is more than fits: with gpus 1 on g6.xlarge (NVIDIA L4), about 3.8 GiB per GPU is left for the KV cache, enough for 30928 tokens, got 100000000. Lower maxModelLen to at most 30928.",
        ]);
    });

    it("says so when no catalog instance type holds the weights", () => {
        expect(problems(config({ instanceType: "g6.xlarge" }, [{ model: "acme/huge", architecture: { paramsBillions: 1000 }, gpus: 1 }]))).toEqual([
            "services[0].gpus: is too few for acme/huge on g6.xlarge: it needs about 1862.6 GiB of weights and 2.8 GiB of runtime overhead per GPU, more than the 20.2 GiB that gpuMemoryUtilization 0.9 leaves of each NVIDIA L4, got 1. No g6.xlarge node is big enough: no catalog instance type holds it: use a quantized checkpoint (quantization: awq or fp8) or a smaller model.",
        ]);
    });
});
