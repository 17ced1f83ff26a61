import { describe, expect, it } from "vitest";
import { deploymentStatus, podResources, ServiceSpec, serviceImage, vllmCommand } from "./servicePlan";

const base: ServiceSpec = {
    name: "test",
    accessName: "u-1/test",
    model: "Qwen/Qwen3-8B",
    gpus: 1,
    task: "chat",
    engineArgs: [],
    dtype: "auto",
    gpuMemoryUtilization: 0.9,
};

describe("vllmCommand", () => {
    it.each([
        ["chat", { maxModelLen: 8192 }],
        ["vision", { task: "vision" as const, model: "Qwen/Qwen2.5-VL-7B-Instruct" }],
        ["embedding", { task: "embedding" as const, model: "BAAI/bge-m3" }],
        ["image-generation", { task: "image-generation" as const, model: "Qwen/Qwen-Image" }],
        ["quantized 2-GPU", { gpus: 2, quantization: "awq", dtype: "float16", gpuMemoryUtilization: 0.85 }],
    ])("%s", (_, overrides) => {
        expect(vllmCommand({ ...base, ...overrides } as ServiceSpec)).toMatchSnapshot();
    });

    it("passes the LoRA plan's flags and adapters, in name order, before the engine args", () => {
        const lora = { modules: [{ name: "u-1/sql", path: "acme/sql-v3", rank: 8 }], maxLoras: 1, maxLoraRank: 16, maxCpuLoras: 1 };
        const { args } = vllmCommand({ ...base, lora, engineArgs: ["--enable-prefix-caching"] });
        expect(args.slice(-10)).toEqual([
            "--enable-lora",
            "--max-loras",
            "1",
            "--max-lora-rank",
            "16",
            "--max-cpu-loras",
            "1",
            "--lora-modules",
            '{"name":"u-1/sql","path":"acme/sql-v3","base_model_name":"u-1/test"}',
            "--enable-prefix-caching",
        ]);
    });

    it("appends engine args last, verbatim", () => {
        const { args } = vllmCommand({ ...base, engineArgs: ["--enable-prefix-caching", "--max-num-seqs=64"] });
        expect(args.slice(-2)).toEqual(["--enable-prefix-caching", "--max-num-seqs=64"]);
    });
});

describe("podResources", () => {
    it("gives a 1-GPU pod its node's share less headroom, with equal requests and limits", () => {
        expect(podResources(base, "g6.xlarge")).toEqual({
            requests: { cpu: "3", memory: "11Gi", "nvidia.com/gpu": "1" },
            limits: { cpu: "3", memory: "11Gi", "nvidia.com/gpu": "1" },
            shmSizeGiB: undefined,
        });
    });
});

describe("podResources of larger pods and unknown nodes", () => {
    it("gives a 2-GPU pod half a 4-GPU node, and /dev/shm of 8 GiB per GPU", () => {
        // g6e.12xlarge: 48 vCPUs, 384 GiB, 4 GPUs → ⌊47 × ½⌋ CPUs, ⌊(384 × 0.85 − 2) × ½⌋ GiB.
        expect(podResources({ gpus: 2 }, "g6e.12xlarge")).toEqual({
            requests: { cpu: "23", memory: "162Gi", "nvidia.com/gpu": "2" },
            limits: { cpu: "23", memory: "162Gi", "nvidia.com/gpu": "2" },
            shmSizeGiB: 16,
        });
    });

    it("falls back to 4 CPUs and 16 GiB on an instance type outside the catalog", () => {
        expect(podResources({ gpus: 1 }, "x9.custom")).toEqual({
            requests: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "1" },
            limits: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "1" },
            shmSizeGiB: undefined,
        });
    });
});

describe("serviceImage", () => {
    it("runs the pinned vLLM, vLLM-Omni for image generation, or the image the service names", () => {
        expect(serviceImage({ task: "chat" })).toBe("vllm/vllm-openai:v0.26.0");
        expect(serviceImage({ task: "embedding" })).toBe("vllm/vllm-openai:v0.26.0");
        expect(serviceImage({ task: "image-generation" })).toBe("vllm/vllm-omni:v0.26.0");
        expect(serviceImage({ task: "image-generation", image: "registry.example.com/omni:1" })).toBe("registry.example.com/omni:1");
    });
});

describe("deploymentStatus", () => {
    it.each([
        [2, 2, "Running 2/2"],
        [1, undefined, "Starting 0/1"],
        [3, 1, "Starting 1/3"],
        [0, undefined, "Stopped"],
        [0, 1, "Stopped"],
    ])("%i desired, %s ready → %s", (desired, ready, status) => {
        expect(deploymentStatus(desired, ready)).toBe(status);
    });
});
