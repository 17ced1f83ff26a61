import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogPriceDate, catalogRegion, estimateFit, findGpuInstanceType, loadPlatform, nodesNeeded, podGpuRequests, readStackFile, resolveModel } from "../components";
import { formatPlan, main as planMain } from "../scripts/plan";
import { config, plan, problems } from "./helpers/planConfig";

const llama8b = "meta-llama/Llama-3.1-8B-Instruct";

describe("weights that do not fit", () => {
    it("names the smallest gpus that fits on the group's instance type", () => {
        expect(problems(config({ instanceType: "g6e.12xlarge" }, [{ model: "Qwen/Qwen3-32B", gpus: 1, maxModelLen: 8192 }]))).toEqual([
            "services[0].gpus: is too few for Qwen/Qwen3-32B on g6e.12xlarge: it needs about 61.1 GiB of weights and 1.9 GiB of runtime overhead per GPU, more than the 40.5 GiB that gpuMemoryUtilization 0.9 leaves of each NVIDIA L40S, got 1. Raise gpus to 2, the smallest that fits on g6e.12xlarge.",
        ]);
    });

    it("names the cheapest instance type that fits when no gpus on the group's nodes would", () => {
        expect(problems(config({ instanceType: "g6.xlarge" }, [{ model: "Qwen/Qwen3-32B", gpus: 1, maxModelLen: 8192 }]))).toEqual([
            "services[0].gpus: is too few for Qwen/Qwen3-32B on g6.xlarge: it needs about 61.1 GiB of weights and 1.9 GiB of runtime overhead per GPU, more than the 20.2 GiB that gpuMemoryUtilization 0.9 leaves of each NVIDIA L4, got 1. No g6.xlarge node is big enough: move it to a node group of g6.12xlarge (gpus: 4), the cheapest catalog instance type that fits, or use a quantized checkpoint.",
        ]);
    });

    it("blames the node group when the planner chooses gpus and even a whole node is too small", () => {
        expect(problems(config({ instanceType: "g6.xlarge" }, [{ model: "meta-llama/Llama-3.3-70B-Instruct" }]))).toEqual([
            'services[0].nodeGroup: places meta-llama/Llama-3.3-70B-Instruct on g6.xlarge nodes, too small even with all 1 GPU of a node: it needs about 131.5 GiB of weights and 2.1 GiB of runtime overhead per GPU, more than the 20.2 GiB that gpuMemoryUtilization 0.9 leaves of each NVIDIA L4, got "gpu". Move it to a node group of p4d.24xlarge (gpus: 8), the cheapest catalog instance type that fits, or use a quantized checkpoint.',
        ]);
    });

    it("fits the same model once it is quantized or given enough GPUs", () => {
        const awq = plan(config({ instanceType: "g6.xlarge" }, [{ model: "Qwen/Qwen3-8B-AWQ", maxModelLen: 32768 }]));
        expect(awq.services[0]).toMatchObject({ gpus: 1, capacity: { weightsGiBPerGpu: 5.69, contextLength: 32768 } });
        const wide = plan(config({ instanceType: "g6e.12xlarge" }, [{ model: "Qwen/Qwen3-32B", gpus: 2, maxModelLen: 8192 }]));
        expect(wide.services[0].capacity).toMatchObject({ gpusPerInstance: 2, weightsGiBPerGpu: 30.55 });
    });

    it("keeps the message for more GPUs than a node has", () => {
        expect(problems(config({ instanceType: "g6.xlarge" }, [{ model: "Qwen/Qwen3-0.6B", gpus: 2 }]))).toEqual([
            'services[0].gpus: is more than one node of node group "gpu" has (g6.xlarge: 1 GPU), got 2. Lower gpus to at most 1, or place the service on a node group with a larger instance type.',
        ]);
    });
});

describe("context length", () => {
    it("rejects maxModelLen above what fits, naming the largest that does", () => {
        expect(problems(config({ instanceType: "g6.xlarge" }, [{ model: llama8b, maxModelLen: 65536 }]))).toEqual([
            "services[0].maxModelLen: is more than fits: with gpus 1 on g6.xlarge (NVIDIA L4), about 3.5 GiB per GPU is left for the KV cache, enough for 28736 tokens, got 65536. Lower maxModelLen to at most 28736, or move the service to a node group of g6e.xlarge (gpus: 1), the cheapest catalog instance type that fits.",
        ]);
    });

    it("accepts the largest context it names", () => {
        const ok = plan(config({ instanceType: "g6.xlarge" }, [{ model: llama8b, maxModelLen: 28736 }]));
        expect(ok.services[0].capacity).toMatchObject({ contextLength: 28736, maxContextThatFits: 28736 });
        expect(problems(config({ instanceType: "g6.xlarge" }, [{ model: llama8b, maxModelLen: 28752 }]))[0]).toMatch(/^services\[0\]\.maxModelLen: is more than fits: .* enough for 28736 tokens, got 28752\./);
    });

    it("checks the model's full context when maxModelLen is omitted, as vLLM would serve it", () => {
        expect(problems(config({ instanceType: "g6.12xlarge" }, [{ model: llama8b, gpus: 1 }]))).toEqual([
            "services[0].maxModelLen: is not set, so vLLM would serve meta-llama/Llama-3.1-8B-Instruct's full 131072-token context, more than fits: with gpus 1 on g6.12xlarge (NVIDIA L4), about 3.5 GiB per GPU is left for the KV cache, enough for 28736 tokens. Set maxModelLen to at most 28736, or raise gpus to 2.",
        ]);
    });

    it("counts a lower gpuMemoryUtilization and an fp8 KV cache", () => {
        const base = { model: llama8b, gpus: 1, maxModelLen: 24576 };
        expect(problems(config({ instanceType: "g6.xlarge" }, [{ ...base, gpuMemoryUtilization: 0.85 }]))[0]).toMatch(/^services\[0\]\.maxModelLen: is more than fits: .*, got 24576\./);
        const fp8 = plan(config({ instanceType: "g6.xlarge" }, [{ ...base, gpuMemoryUtilization: 0.85, engineArgs: ["--kv-cache-dtype", "fp8"] }]));
        expect(fp8.services[0].capacity?.maxContextThatFits as number).toBeGreaterThan(24576);
    });

    it("does not check the context of models whose KV-cache shape is unknown", () => {
        const custom = plan(config({ instanceType: "g6.xlarge" }, [{ model: "acme/support-bot", maxModelLen: 1_000_000, architecture: { paramsBillions: 3 } }]));
        expect(custom.services[0].capacity).toMatchObject({ paramsBillions: 3, modelFactsFrom: "config", contextLength: undefined, maxContextThatFits: undefined });
    });
});

describe("models outside the catalog", () => {
    it("asks for architecture.paramsBillions", () => {
        expect(problems(config({ instanceType: "g6.xlarge" }, [{ model: "acme/support-bot" }]))).toEqual([
            'services[0].model: is not in the planner\'s model catalog, so its GPU memory cannot be estimated, got "acme/support-bot". State its size under architecture: paramsBillions (and layers, kvHeads, headDim, maxContext from its config.json to check the context length), or use a catalog model (`npm run plan -- --models` lists them).',
        ]);
    });

    it("sizes them from the architecture the service states", () => {
        const stated = plan(config({ instanceType: "g6e.12xlarge" }, [{ model: "/models/acme-13b", architecture: { paramsBillions: 13, layers: 40, kvHeads: 40, headDim: 128, maxContext: 4096 } }]));
        expect(stated.services[0]).toMatchObject({ gpus: 1, capacity: { paramsBillions: 13, contextLength: 4096, maxContextThatFits: 4096 } });
    });
});

describe("gpus chosen by the planner", () => {
    it("picks the smallest power-of-two tensor-parallel size that holds weights and context", () => {
        const p = plan(
            config({ instanceType: "g6e.48xlarge", maxSize: 8 }, [
                { model: "Qwen/Qwen3-0.6B" },
                { model: "Qwen/Qwen3-32B", maxModelLen: 32768 },
                { model: "meta-llama/Llama-3.3-70B-Instruct", maxModelLen: 8192 },
                { model: "meta-llama/Llama-3.3-70B-Instruct" },
            ]),
        );
        expect(p.services.map((s) => s.gpus)).toEqual([1, 2, 4, 8]);
        expect(p.services.every((s) => s.gpusChosen)).toBe(true);
        // Each choice is the smallest: one size down does not hold it.
        const l4 = findGpuInstanceType("g6e.48xlarge");
        const q32 = resolveModel("Qwen/Qwen3-32B");
        expect(l4 && q32 && estimateFit(q32, l4, 1).weightsFit).toBe(false);
    });

    it("gives a model more GPUs to hold its full context when maxModelLen is omitted", () => {
        const p = plan(config({ instanceType: "g5.12xlarge" }, [{ model: llama8b }, { model: llama8b, maxModelLen: 8192 }]));
        expect(p.services.map((s) => s.gpus)).toEqual([2, 1]);
    });

    it("writes gpus explicitly set through unchanged", () => {
        const p = plan(config({ instanceType: "g6e.12xlarge" }, [{ model: "Qwen/Qwen3-0.6B", gpus: 4 }]));
        expect(p.services[0]).toMatchObject({ gpus: 4, gpusChosen: false });
    });
});

describe("instance type chosen by the planner", () => {
    it("picks the cheapest size of the family that fits every service placed on it", () => {
        expect(plan(config({ family: "g6e" }, [{ model: llama8b }])).nodeGroups[0]).toMatchObject({ instanceType: "g6e.xlarge", instanceTypeChosen: true, desiredSize: 1 });
        expect(plan(config({ family: "g6e" }, [{ model: "Qwen/Qwen3-32B", maxModelLen: 8192 }])).nodeGroups[0].instanceType).toBe("g6e.12xlarge");
        expect(plan(config({ family: "g6" }, [{ model: "meta-llama/Llama-3.3-70B-Instruct", maxModelLen: 8192 }])).nodeGroups[0]).toMatchObject({ instanceType: "g6.48xlarge", gpusPerNode: 8 });
    });

    it("counts whole nodes: eight 1-GPU services on eight small nodes, or fewer large ones when maxSize forces it", () => {
        const many = [{ model: llama8b, instances: 8 }];
        const small = plan(config({ family: "g6e", maxSize: 10 }, many)).nodeGroups[0];
        expect(small).toMatchObject({ instanceType: "g6e.xlarge", desiredSize: 8, capacity: { pricePerHourUsd: 14.888 } });
        const capped = plan(config({ family: "g6e", maxSize: 2 }, many)).nodeGroups[0];
        expect(capped).toMatchObject({ instanceType: "g6e.12xlarge", desiredSize: 2, capacity: { pricePerHourUsd: 20.9853 } });
    });

    it("takes the cheapest size of an empty group", () => {
        expect(plan(config({ family: "p5" }, [])).nodeGroups[0]).toMatchObject({ instanceType: "p5.4xlarge", desiredSize: 0 });
    });

    it("rejects a family none of whose sizes holds a model, naming one that does", () => {
        expect(problems(config({ family: "g6e" }, [{ model: "Qwen/Qwen-Image", task: "image-generation" }]))).toEqual([
            'nodeGroups[0].family: has no size whose GPUs hold Qwen/Qwen-Image (services[0], about 53.6 GiB of weights), got "g6e". Pick a family with more GPU memory: p5.4xlarge (gpus: 1), the cheapest catalog instance type that fits, or use a quantized checkpoint.',
        ]);
    });

    it("keeps the message for more GPUs than any size of the family has", () => {
        expect(problems(config({ family: "g6e" }, [{ model: "Qwen/Qwen3-0.6B", gpus: 16 }]))).toEqual([
            'nodeGroups[0].family: has no size with 16 GPUs per node, got "g6e". Pick a family with larger sizes, or lower the services\' gpus.',
        ]);
    });
});

describe("GPU counts and cost", () => {
    it("prices each service at its GPUs' share of the node and each group at whole nodes", () => {
        const p = plan({
            owner: "u-test",
            cluster: { kind: "kubeconfig" },
            nodeGroups: [
                { name: "small", instanceType: "g6.xlarge", minSize: 0, maxSize: 4 },
                { name: "large", instanceType: "g6e.12xlarge", minSize: 0, maxSize: 4 },
            ],
            services: [
                { name: "chat", model: "Qwen/Qwen3-8B", instances: 2, nodeGroup: "small", maxModelLen: 8192 },
                { name: "big", model: "Qwen/Qwen3-32B", instances: 1, gpus: 2, nodeGroup: "large", maxModelLen: 8192 },
                { name: "embed", model: "BAAI/bge-m3", task: "embedding", instances: 1, nodeGroup: "large" },
                { name: "off", model: "Qwen/Qwen3-8B", instances: 0, nodeGroup: "small", maxModelLen: 8192 },
            ],
        });
        expect(p.services.map((s) => [s.capacity?.totalGpus, s.capacity?.pricePerHourUsd])).toEqual([
            [2, 1.6096],
            [2, 5.2463],
            [1, 2.6232],
            [0, 0],
        ]);
        expect(p.nodeGroups.map((g) => g.capacity)).toEqual([
            { gpuModel: "NVIDIA L4", pricePerNodeHourUsd: 0.8048, totalGpus: 2, requestedGpus: 2, pricePerHourUsd: 1.6096, idleGpus: 0, idleGpuPricePerHourUsd: 0 },
            // One of the node's four GPUs is paid for and unused: a quarter of the node's price.
            { gpuModel: "NVIDIA L40S", pricePerNodeHourUsd: 10.49264, totalGpus: 4, requestedGpus: 3, pricePerHourUsd: 10.4926, idleGpus: 1, idleGpuPricePerHourUsd: 2.6232 },
            // The default system group: 2 × m7i.large for the gateway and CoreDNS.
            { gpuModel: "none", pricePerNodeHourUsd: 0.1008, totalGpus: 0, requestedGpus: 0, pricePerHourUsd: 0.2016, idleGpus: 0, idleGpuPricePerHourUsd: 0 },
        ]);
        expect(p.capacity).toEqual({
            totalGpus: 6,
            requestedGpus: 5,
            pricePerHourUsd: 12.3038,
            gpuNodesPricePerHourUsd: 12.1022,
            cpuNodesPricePerHourUsd: 0.2016,
            // A kubeconfig cluster that is not a simulation of EKS: no control plane fee.
            controlPlanePricePerHourUsd: 0,
            idleGpus: 1,
            idleGpuPricePerHourUsd: 2.6232,
            simulated: false,
            priceRegion: catalogRegion,
            priceDate: catalogPriceDate,
        });
    });

    it("adds the EKS control plane for a created cluster and its simulation, not for an existing one", () => {
        const base = {
            owner: "u-test",
            nodeGroups: [{ name: "gpu", instanceType: "g6.xlarge", minSize: 0, maxSize: 2 }],
            services: [{ name: "chat", model: "Qwen/Qwen3-8B", instances: 1, maxModelLen: 8192 }],
        };
        const created = plan({ ...base, cluster: { kind: "eks", name: "dev" } }).capacity;
        expect(created).toMatchObject({ controlPlanePricePerHourUsd: 0.1, cpuNodesPricePerHourUsd: 0.2016, gpuNodesPricePerHourUsd: 0.8048, pricePerHourUsd: 1.1064, simulated: false });
        expect(plan({ ...base, cluster: { kind: "eks", name: "dev", create: false } }).capacity).toMatchObject({ controlPlanePricePerHourUsd: 0, pricePerHourUsd: 1.0064 });
        expect(plan({ ...base, cluster: { kind: "kubeconfig", simulated: true } }).capacity).toEqual({ ...created, simulated: true });
    });

    it("pays for minSize nodes even when no service needs them", () => {
        const p = plan(config({ instanceType: "g6.xlarge", minSize: 2 }, [{ model: "Qwen/Qwen3-0.6B" }]));
        expect(p.nodeGroups[0]).toMatchObject({ desiredSize: 2, capacity: { totalGpus: 2, requestedGpus: 1, pricePerHourUsd: 1.6096 } });
    });
});

describe("node counts (first-fit decreasing)", () => {
    it("counts nodes for mixed requests", () => {
        expect(nodesNeeded([], 4)).toBe(0);
        expect(nodesNeeded([1, 1, 1, 1], 4)).toBe(1);
        expect(nodesNeeded([2, 1, 2, 1, 1, 1], 4)).toBe(2);
        expect(nodesNeeded([3, 3, 3, 3, 3], 4)).toBe(5);
        expect(nodesNeeded([3, 1, 3, 1], 4)).toBe(2);
        expect(nodesNeeded([8, 4, 4, 2, 1, 1], 8)).toBe(3);
        expect(nodesNeeded([5], 4)).toBe(Infinity);
    });

    it("agrees with a plain first-fit-decreasing scan, and needs no more nodes than pods", () => {
        const reference = (pods: number[], perNode: number) => {
            const free: number[] = [];
            for (const g of [...pods].sort((a, b) => b - a)) {
                const i = free.findIndex((f) => f >= g);
                if (i < 0) {
                    free.push(perNode - g);
                } else {
                    free[i] -= g;
                }
            }
            return free.length;
        };
        fc.assert(
            fc.property(fc.constantFrom(1, 4, 8), fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 300 }), (perNode, raw) => {
                const pods = raw.map((g) => Math.min(g, perNode));
                const n = nodesNeeded(pods, perNode);
                expect(n).toBe(reference(pods, perNode));
                expect(n).toBeGreaterThanOrEqual(Math.ceil(pods.reduce((a, b) => a + b, 0) / perNode));
                expect(n).toBeLessThanOrEqual(pods.length);
            }),
        );
    });

    it("is exact when every request is a power of two dividing the node", () => {
        fc.assert(
            fc.property(fc.array(fc.constantFrom(1, 2, 4, 8), { maxLength: 500 }), (pods) => {
                expect(nodesNeeded(pods, 8)).toBe(Math.ceil(pods.reduce((a, b) => a + b, 0) / 8));
            }),
        );
    });

    it("places a service's pods by its instances and gpus, and sizes the group from them", () => {
        const p = plan(config({ instanceType: "g6e.12xlarge" }, [{ model: "Qwen/Qwen3-32B", gpus: 2, instances: 3, maxModelLen: 8192 }, { model: "Qwen/Qwen3-0.6B", instances: 2 }]));
        expect(podGpuRequests(p.services)).toEqual([2, 2, 2, 1, 1]);
        expect(p.nodeGroups[0].desiredSize).toBe(2);
    });

    it("rejects demand beyond maxSize, saying how many nodes are needed", () => {
        expect(problems(config({ instanceType: "g6.xlarge", maxSize: 2 }, [{ model: "Qwen/Qwen3-8B", instances: 3, maxModelLen: 8192 }]))).toEqual([
            'nodeGroups[0].maxSize: is too small: the services placed on "gpu" (svc-0 3×1) need 3 g6.xlarge nodes, got 2. Raise maxSize to at least 3, or lower those services\' instances.',
        ]);
    });
});

describe("npm run plan", () => {
    const stackFile = `config:
  aws:region: us-east-1
  model-services:cluster:
    kind: kubeconfig
  model-services:huggingFaceToken:
    secure: v1:abc
  model-services:nodeGroups:
    - name: gpu
      family: g6e
      minSize: 0
      maxSize: 4
  model-services:services:
    - name: chat
      model: Qwen/Qwen3-8B
      instances: 2
`;

    it("reads a stack file's model-services keys, keeping secure values out", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
        const file = path.join(dir, "Pulumi.demo.yaml");
        writeFileSync(file, stackFile);
        const { raw, context } = readStackFile(file);
        expect(Object.keys(raw).sort()).toEqual(["cluster", "huggingFaceToken", "nodeGroups", "services"]);
        expect(raw.huggingFaceToken).toBe("[secret]");
        expect([...(context.secretKeys ?? [])]).toEqual(["huggingFaceToken"]);
        expect(context.stack).toBe("demo");
    });

    it("prints services, GPUs, nodes, fit, context and cost", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
        writeFileSync(path.join(dir, "Pulumi.demo.yaml"), stackFile);
        const { raw, context } = readStackFile(path.join(dir, "Pulumi.demo.yaml"));
        const text = formatPlan(loadPlatform(raw, context), "demo");
        expect(text).toContain('Capacity plan of stack "demo"');
        expect(text).toMatch(/chat\s+Qwen\/Qwen3-8B\s+2\s+1 \(auto\)\s+2\s+gpu \(g6e\.xlarge\)\s+NVIDIA L40S\s+15\.3 GiB\s+\d+\.\d GiB\s+40,960\s+40,960\s+\$3\.72/);
        expect(text).toMatch(/gpu\s+g6e\.xlarge \(cheapest g6e\)\s+1\s+0\/2\/4\s+2\/2\s+\$1\.86\s+\$3\.72/);
        expect(text).toMatch(/system\s+m7i\.large \(CPU: gateway, add-ons\)\s+-\s+2\/2\/3\s+-\s+\$0\.10\s+\$0\.20/);
        expect(text).toContain("Total: 2 GPUs requested, 2 provisioned (0 idle); $3.92/hour (≈ $2864.23/month) on demand\n");
        expect(text).toContain("  = GPU nodes $3.72 (of which idle GPUs $0.00) + CPU nodes $0.20 + EKS control plane $0.00 (not an EKS cluster)");
        expect(text).not.toContain("Simulated cluster");
        const simulated = formatPlan(loadPlatform({ ...raw, cluster: { kind: "kubeconfig", simulated: true } }, context), "demo");
        expect(simulated).toContain("Simulated cluster (KWOK): no bill; the prices are what the same node groups and an EKS control plane would cost on EKS.");
        expect(simulated).toContain("$4.02/hour (≈ $2937.23/month) on demand if it ran on EKS");
    });

    it("exits 1 and prints every problem of a bad stack file", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "plan-"));
        writeFileSync(path.join(dir, "Pulumi.bad.yaml"), stackFile.replace("Qwen/Qwen3-8B", "acme/unknown"));
        const errors: string[] = [];
        const original = console.error;
        console.error = (m: string) => errors.push(m);
        try {
            expect(planMain(["--stack", "bad"], dir)).toBe(1);
        } finally {
            console.error = original;
        }
        expect(errors.join("\n")).toContain('services[0].model: is not in the planner\'s model catalog, so its GPU memory cannot be estimated, got "acme/unknown".');
    });
});
