import { describe, expect, it } from "vitest";
import { catalogPriceDate, catalogRegion, gpuInstanceTypes, gpuModels } from "../catalog/gpuInstances";
import { findModel, modelCatalog } from "../catalog/models";
import { cheapestFit, footprintByInstanceType, smallestFit, tensorParallelSizes } from "./fit";
import { estimateFit, kvBytesPerGpu, kvBytesPerToken, overheadGiBPerGpu, ResolvedModel, resolveModel, weightBytes } from "./footprint";
import { model, type } from "../../test/helpers/catalog";

const GiB = 1024 ** 3;
const GB = 1e9;

/** |actual − expected| ≤ tolerance × expected. */
function expectWithin(actual: number, expected: number, tolerance: number): void {
    expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(tolerance);
}

describe("estimates against published figures", () => {
    // Hugging Face, "Llama 3.1 - 405B, 70B & 8B with multilinguality and long context",
    // https://huggingface.co/blog/llama31#inference-memory-requirements — KV cache in FP16:
    // 8B: 0.125 GB at 1k tokens, 15.62 GB at 128k; 70B: 0.313 GB at 1k, 39.06 GB at 128k
    // (the table's "GB" are GiB of 1,024 tokens and 128,000 tokens).
    it("KV cache of Llama 3.1 8B and 70B matches the Llama 3.1 release blog's table", () => {
        const l8 = model("meta-llama/Llama-3.1-8B-Instruct");
        const l70 = model("meta-llama/Llama-3.1-70B-Instruct");
        // The table truncates to two or three decimals: agree within 0.2 %.
        expectWithin(kvBytesPerGpu(l8, 1024, 1) / GiB, 0.125, 0.002);
        expectWithin(kvBytesPerGpu(l8, 128_000, 1) / GiB, 15.62, 0.002);
        expectWithin(kvBytesPerGpu(l70, 1024, 1) / GiB, 0.313, 0.002);
        expectWithin(kvBytesPerGpu(l70, 128_000, 1) / GiB, 39.06, 0.002);
    });

    // vLLM's memory profiling log of `vllm serve meta-llama/Meta-Llama-3-8B` on one H100
    // (https://github.com/vllm-project/vllm/pull/10511): "model weights take 14.96GiB",
    // "available_kv_cache_memory 53.29GiB" at gpu_memory_utilization 0.90; with -tp 2
    // "model weights take 7.48GiB". Llama 3 8B has Llama 3.1 8B's shapes and 8.03B parameters.
    it("weights and KV cache of Llama 3 8B on an H100 match vLLM's own memory profile", () => {
        const l8 = model("meta-llama/Llama-3.1-8B-Instruct");
        const one = estimateFit(l8, type("p5.4xlarge"), 1);
        expectWithin(one.weightsGiBPerGpu, 14.96, 0.01);
        expectWithin(one.kvCacheGiBPerGpu, 53.29, 0.03);
        const two = estimateFit(l8, type("p5.48xlarge"), 2);
        expectWithin(two.weightsGiBPerGpu, 7.48, 0.01);
    });

    // NVIDIA NIM, "Troubleshooting GPU Memory Out-of-Memory Errors"
    // (https://docs.nvidia.com/nim/large-language-models/latest/troubleshooting/memory.html):
    // Llama 3.3 70B in BF16 at TP 4 is "70 billion x 2 bytes / 4 GPUs = 35 GB" per GPU.
    it("Llama 3.3 70B in BF16 needs about 35 GB of weights per GPU at tensor parallel 4 (NVIDIA NIM)", () => {
        const l70 = model("meta-llama/Llama-3.3-70B-Instruct");
        expectWithin((weightBytes(l70) / 4) / GB, 35, 0.02);
    });

    // hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4 ships 4.68 GB + 1.05 GB of
    // safetensors (https://huggingface.co/hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4/tree/main);
    // its 70B sibling's card: "around 35 GiB of VRAM are needed only for loading the model
    // checkpoint" (https://huggingface.co/hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4).
    it("AWQ 4-bit checkpoints of Llama 3.1 match their published sizes", () => {
        const awq8 = resolveModel("hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4") as ResolvedModel;
        expect(awq8.impliedQuantization).toBe("awq");
        expectWithin(weightBytes(awq8) / GB, 4.68 + 1.05, 0.02);
        const awq70 = resolveModel("hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4") as ResolvedModel;
        expectWithin(weightBytes(awq70) / GiB, 35, 0.08);
    });

    // openai/gpt-oss-120b and gpt-oss-20b model cards (https://huggingface.co/openai/gpt-oss-120b,
    // https://huggingface.co/openai/gpt-oss-20b): "gpt-oss-120b … fits into a single 80GB GPU
    // (like NVIDIA H100 …)"; "the gpt-oss-20b model run within 16GB of memory" (MXFP4 MoE weights).
    it("gpt-oss-120b fits one 80 GB H100 and gpt-oss-20b's weights stay under 16 GB (model cards)", () => {
        const big = model("openai/gpt-oss-120b");
        expect(smallestFit(big, type("p5.4xlarge"), {}, big.maxContext)?.gpus).toBe(1);
        expect(estimateFit(big, type("g6e.xlarge"), 1).weightsFit).toBe(false);
        const small = model("openai/gpt-oss-20b");
        expect(weightBytes(small) / GB).toBeLessThan(16);
        expect(weightBytes(small) / GB).toBeGreaterThan(11);
        expect(smallestFit(small, type("g6.xlarge"), {}, 32_768)?.gpus).toBe(1);
    });

    // Hugging Face, "Welcome Mixtral" (https://huggingface.co/blog/mixtral): "Mixtral requires
    // 90GB of VRAM in half-precision" (46.7B parameters).
    it("Mixtral 8x7B needs about 90 GB in half precision, so more than one H100 (Hugging Face blog)", () => {
        const mixtral = model("mistralai/Mixtral-8x7B-Instruct-v0.1");
        expectWithin(weightBytes(mixtral) / GB, 90, 0.05);
        expect(estimateFit(mixtral, type("p5.4xlarge"), 1).weightsFit).toBe(false);
        expect(smallestFit(mixtral, type("p5.48xlarge"), {}, mixtral.maxContext)?.gpus).toBe(2);
    });

    // BAAI/bge-m3 card (https://huggingface.co/BAAI/bge-m3): 568M parameters; its float32
    // pytorch_model.bin is 2.27 GB, which vLLM's --dtype auto serves as float16.
    it("bge-m3 is 2.27 GB in float32 and half that as vLLM serves it", () => {
        const bge = model("BAAI/bge-m3");
        expectWithin(weightBytes(bge, { dtype: "float32" }) / GB, 2.27, 0.01);
        expectWithin(weightBytes(bge) / GB, 2.27 / 2, 0.01);
    });
});

describe("model catalog", () => {
    it("has at least 15 models, each with a source and the facts the planner needs", () => {
        expect(modelCatalog.length).toBeGreaterThanOrEqual(15);
        for (const m of modelCatalog) {
            expect(m.source.length, m.id).toBeGreaterThan(0);
            expect(m.paramsBillions, m.id).toBeGreaterThan(0);
            if (m.task !== "image-generation") {
                expect([m.layers, m.kvHeads, m.headDim, m.maxContext].every((v) => Number.isInteger(v) && (v as number) > 0), m.id).toBe(true);
            }
        }
        const tasks = new Set(modelCatalog.map((m) => m.task));
        expect([...tasks].sort()).toEqual(["chat", "embedding", "image-generation", "vision"]);
    });

    it("finds models by id or alias in any case, under another owner, and through quantized re-uploads", () => {
        expect(findModel("qwen/qwen3-8b")?.spec.id).toBe("Qwen/Qwen3-8B");
        expect(findModel("meta-llama/Meta-Llama-3.1-8B-Instruct")?.spec.id).toBe("meta-llama/Llama-3.1-8B-Instruct");
        expect(findModel("my-org/Qwen3-32B")?.spec.id).toBe("Qwen/Qwen3-32B");
        expect(findModel("Qwen/Qwen3-8B-FP8")).toEqual({ spec: expect.objectContaining({ id: "Qwen/Qwen3-8B" }), impliedQuantization: "fp8" });
        expect(findModel("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4")?.impliedQuantization).toBe("gptq");
        expect(findModel("RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16")?.impliedQuantization).toBe("compressed-tensors");
        expect(findModel("acme/private-model")).toBeUndefined();
        expect(findModel("acme/private-model-AWQ")).toBeUndefined();
    });

    it("lets a service's architecture override catalog facts, and needs paramsBillions for unknown models", () => {
        const longer = resolveModel("Qwen/Qwen3-8B", { maxContext: 131072 });
        expect(longer).toMatchObject({ maxContext: 131072, layers: 36, factsFrom: "catalog+config" });
        expect(resolveModel("acme/private-model")).toBeUndefined();
        expect(resolveModel("acme/private-model", { layers: 32 })).toBeUndefined();
        expect(resolveModel("acme/private-model", { paramsBillions: 7 })).toMatchObject({ paramsBillions: 7, factsFrom: "config", maxContext: undefined });
    });
});

describe("footprint arithmetic", () => {
    it("counts bytes per parameter from dtype and quantization, keeping embeddings in 16 bits", () => {
        const q8 = model("Qwen/Qwen3-8B");
        const embedding = 151936 * 4096 * 2; // untied input and output embeddings
        const rest = 8.2e9 - embedding;
        expect(weightBytes(q8)).toBeCloseTo(8.2e9 * 2, -3);
        expect(weightBytes(q8, { dtype: "float32" })).toBeCloseTo(8.2e9 * 4, -3);
        expect(weightBytes(q8, { quantization: "fp8" })).toBeCloseTo(embedding * 2 + rest, -3);
        expect(weightBytes(q8, { quantization: "awq" })).toBeCloseTo(embedding * 2 + rest * 0.52, -3);
        expect(weightBytes(q8, { quantization: "gptq" })).toBe(weightBytes(q8, { quantization: "awq" }));
    });

    it("sizes the profiling run's activations by the compute dtype: float32 doubles them", () => {
        const q8 = model("Qwen/Qwen3-8B");
        const batch = ["--max-num-batched-tokens", "2048"];
        const bf16 = overheadGiBPerGpu(q8, 1, { engineArgs: batch });
        const fp32 = overheadGiBPerGpu(q8, 1, { engineArgs: batch, dtype: "float32" });
        // 6 replicated + 12 split activation vectors of the hidden width (4096) per batched token.
        expect((fp32 - bf16) * GiB).toBeCloseTo(18 * 2048 * 4096 * 2, 0);
    });

    it("halves the KV cache with --kv-cache-dtype fp8 and shards KV heads over tensor-parallel GPUs", () => {
        const l8 = model("meta-llama/Llama-3.1-8B-Instruct");
        expect(kvBytesPerToken(l8)).toBe(2 * 32 * 8 * 128 * 2);
        expect(kvBytesPerToken(l8, { engineArgs: ["--kv-cache-dtype", "fp8"] })).toBe(2 * 32 * 8 * 128);
        expect(kvBytesPerToken(l8, { engineArgs: ["--kv-cache-dtype=fp8_e4m3"] })).toBe(2 * 32 * 8 * 128);
        expect(kvBytesPerGpu(l8, 1000, 2)).toBe(kvBytesPerGpu(l8, 1000, 1) / 2);
        // Qwen2.5-VL-7B has 4 KV heads: at 8 GPUs each GPU keeps a replica of one head.
        const vl = model("Qwen/Qwen2.5-VL-7B-Instruct");
        expect(kvBytesPerGpu(vl, 1000, 8)).toBe(kvBytesPerGpu(vl, 1000, 4));
    });

    // vLLM 0.26 SlidingWindowSpec.max_admission_blocks_per_request (vllm/v1/kv_cache_interface.py:567):
    // cdiv(min(window − 1 + max_in_flight_tokens, max_model_len), block) + 1 blocks per window layer,
    // max_in_flight_tokens = 2 batches (async scheduling) × max_num_batched_tokens (config/vllm.py:512-525).
    it("reserves what vLLM admits against in sliding-window layers (Gemma 3: 52 of 62 layers, 1,024-token window)", () => {
        const gemma = model("google/gemma-3-27b-it");
        const perLayerToken = 2 * 16 * 128 * 2;
        // On an L4 (2,048 batched tokens): window layers hold min(1023 + 2 × 2048, context) tokens + 1 block.
        const l4 = { batch: { maxNumBatchedTokens: 2048, maxNumSeqs: 256 } };
        expect(kvBytesPerGpu(gemma, 512, 1, l4)).toBe(perLayerToken * (10 * 512 + 52 * (32 + 1) * 16));
        expect(kvBytesPerGpu(gemma, 100_000, 1, l4)).toBe(perLayerToken * (10 * 100_000 + 52 * (320 + 1) * 16));
        // On an H100 (8,192 batched tokens) the in-flight tokens are 16,384: the window layers hold 17,424 tokens, not 1,024.
        const h100 = { batch: { maxNumBatchedTokens: 8192, maxNumSeqs: 1024 } };
        expect(kvBytesPerGpu(gemma, 100_000, 1, h100)).toBe(perLayerToken * (10 * 100_000 + 52 * (Math.ceil((1023 + 16384) / 16) + 1) * 16));
        // Embedding models run without async scheduling: one batch in flight.
        expect(kvBytesPerGpu({ ...gemma, task: "embedding" }, 100_000, 1, l4)).toBe(perLayerToken * (10 * 100_000 + 52 * (Math.ceil((1023 + 2048) / 16) + 1) * 16));
        const fit = estimateFit(gemma, type("p5.4xlarge"), 1);
        expect(kvBytesPerGpu(gemma, fit.maxContext as number, 1)).toBeLessThanOrEqual(fit.kvCacheGiBPerGpu * GiB);
    });

    it("reports the largest context that fits in whole 16-token blocks, capped at the model's maximum", () => {
        const q8 = model("Qwen/Qwen3-8B");
        const l4 = estimateFit(q8, type("g6.xlarge"), 1);
        expect(l4.weightsFit).toBe(true);
        expect(l4.maxContext as number).toBeGreaterThan(8192);
        expect(l4.maxContext as number).toBeLessThan(q8.maxContext as number);
        expect((l4.maxContext as number) % 16).toBe(0);
        expect(kvBytesPerGpu(q8, l4.maxContext as number, 1)).toBeLessThanOrEqual(l4.kvCacheGiBPerGpu * GiB);
        expect(kvBytesPerGpu(q8, (l4.maxContext as number) + 16, 1)).toBeGreaterThan(l4.kvCacheGiBPerGpu * GiB);
        expect(estimateFit(q8, type("g6e.xlarge"), 1).maxContext).toBe(40960);
        expect(estimateFit(q8, type("g6e.xlarge"), 1, { gpuMemoryUtilization: 0.5 }).maxContext as number).toBeLessThan(40960);
    });

    it("offers power-of-two tensor-parallel sizes that divide the node's GPUs", () => {
        expect(tensorParallelSizes(1)).toEqual([1]);
        expect(tensorParallelSizes(4)).toEqual([1, 2, 4]);
        expect(tensorParallelSizes(8)).toEqual([1, 2, 4, 8]);
        expect(tensorParallelSizes(6)).toEqual([1, 2]);
    });

    it("tabulates GPUs per instance and largest context for every catalog instance type", () => {
        const q32 = model("Qwen/Qwen3-32B");
        const rows = footprintByInstanceType(q32, {}, 32_768);
        expect(rows).toHaveLength(gpuInstanceTypes.length);
        const byType = new Map(rows.map((r) => [r.type.instanceType, r]));
        expect(byType.get("g6.xlarge")?.fit).toBeUndefined();
        expect(byType.get("g6e.12xlarge")?.fit?.gpus).toBe(2);
        expect(byType.get("g6.48xlarge")?.fit?.gpus).toBe(4);
        // One H100 holds the weights but only 31K tokens of context: half a context short.
        expect(byType.get("p5.4xlarge")?.fit).toBeUndefined();
        expect(byType.get("p5.4xlarge")?.largest.maxContext as number).toBeLessThan(32_768);
        expect(footprintByInstanceType(q32, {}, 16_384).find((r) => r.type.instanceType === "p5.4xlarge")?.fit?.gpus).toBe(1);
        expect(byType.get("g6.48xlarge")?.largest.maxContext).toBe(40960);
        expect(cheapestFit(q32, {}, 32_768)?.type.instanceType).toBe("g6.12xlarge");
    });

    it("names the cheapest instance type counting whole nodes: one instance pays for all of a node's GPUs", () => {
        const image = model("Qwen/Qwen-Image");
        // A p4de GPU costs half an H100, but one instance on a p4de pays for eight of them.
        expect(cheapestFit(image)?.type.instanceType).toBe("p5.4xlarge");
        expect(cheapestFit(image, {}, undefined, 8)?.type.instanceType).toBe("p4de.24xlarge");
    });

    it("keeps a whole copy of a diffusion model on each GPU (vLLM-Omni does not shard it)", () => {
        const image = model("Qwen/Qwen-Image");
        expect(estimateFit(image, type("g6e.12xlarge"), 4).weightsFit).toBe(false);
        expect(estimateFit(image, type("p5.4xlarge"), 1).weightsFit).toBe(true);
        expect(estimateFit(image, type("p5.4xlarge"), 1).maxContext).toBeUndefined();
    });
});

describe("GPU instance catalog", () => {
    it("covers the EKS GPU families with a region and price date", () => {
        const families = new Set(gpuInstanceTypes.map((t) => t.family));
        for (const f of ["g5", "g6", "g6e", "p4d", "p4de", "p5", "p5e", "p5en"]) {
            expect(families.has(f), f).toBe(true);
        }
        expect(catalogRegion).toBe("us-east-1");
        expect(catalogPriceDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });

    it("gives each GPU the memory nvidia-smi reports for its model", () => {
        for (const t of gpuInstanceTypes) {
            const gpu = gpuModels[t.gpuModel];
            expect(gpu, t.instanceType).toBeDefined();
            expect(t.gpuMemoryGiB, t.instanceType).toBeCloseTo(gpu.nvidiaSmiMiB / 1024, 1);
        }
    });

    // AWS on-demand prices, us-east-1 (https://aws.amazon.com/ec2/pricing/on-demand/); p5en
    // cross-checked with https://github.com/dstackai/dstack/pull/4110 ($63.296).
    it("prices sizes of a family consistently: more GPUs or more vCPUs never cost less", () => {
        expect(type("g6e.xlarge").pricePerHourUsd).toBe(1.861);
        expect(type("g5.xlarge").pricePerHourUsd).toBe(1.006);
        expect(type("p5en.48xlarge").pricePerHourUsd).toBe(63.296);
        for (const family of new Set(gpuInstanceTypes.map((t) => t.family))) {
            const sizes = gpuInstanceTypes.filter((t) => t.family === family);
            for (const a of sizes) {
                for (const b of sizes) {
                    if (a.gpus === b.gpus && a.vcpus < b.vcpus) {
                        expect(a.pricePerHourUsd, `${a.instanceType} < ${b.instanceType}`).toBeLessThan(b.pricePerHourUsd);
                    }
                }
            }
        }
    });
});
