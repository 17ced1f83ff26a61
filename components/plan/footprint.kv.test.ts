import { beforeEach, describe, expect, it, vi } from "vitest";
import { findGpuInstanceType, GpuInstanceType } from "../catalog/gpuInstances";
import { ServiceTask } from "../config/rules";
import {
    estimateFit,
    hasKvGeometry,
    kvBytesPerGpu,
    kvBytesPerToken,
    memoryNeedGiB,
    overheadGiBPerGpu,
    ResolvedModel,
    resolveModel,
    weightBytes,
} from "./footprint";
import { slidingWindowAdmissionTokens } from "./vllmRules";
import { model, type } from "../../test/helpers/catalog";

// Pass-through: only counts how often the sliding-window admission rule is evaluated.
vi.mock("./vllmRules", async (importOriginal) => {
    const real = await importOriginal<typeof import("./vllmRules")>();
    return { ...real, slidingWindowAdmissionTokens: vi.fn(real.slidingWindowAdmissionTokens) };
});

const GiB = 1024 ** 3;

/**
 * docs/planner.md's KV cache of a context L on one GPU, written out independently of the
 * planner's closed-form solve: layer-token bytes × (full layers × L + window layers × W(L)),
 * W(L) = (⌈min(window − 1 + in-flight, L) ÷ 16⌉ + 1) × 16.
 */
function docKvBytes(m: ResolvedModel, tokens: number, tp: number, inFlight: number): number {
    const perLayerToken = 2 * Math.max(1, Math.ceil((m.kvHeads as number) / tp)) * (m.headDim as number) * 2;
    const windowLayers = m.slidingWindow ? (m.slidingWindowLayers ?? 0) : 0;
    const held = windowLayers > 0 ? (Math.ceil(Math.min((m.slidingWindow as number) - 1 + inFlight, tokens) / 16) + 1) * 16 : 0;
    return perLayerToken * (((m.layers as number) - windowLayers) * tokens + windowLayers * held);
}

/** The largest whole-block context (at most the model's own) whose docKvBytes fits `bytes`, by walking block by block. */
function docLargestContext(m: ResolvedModel, bytes: number, tp: number, inFlight: number): number {
    let tokens = 0;
    while (tokens + 16 <= (m.maxContext as number) && docKvBytes(m, tokens + 16, tp, inFlight) <= bytes) {
        tokens += 16;
    }
    return tokens;
}

/**
 * A GPU whose usable memory (at utilization 0.5, so exactly half of it) is exactly the model's
 * weights, overhead and the KV cache of `tokens` tokens. L40S-sized, so vLLM's 2,048-token batch defaults apply.
 */
function gpuHolding(m: ResolvedModel, tokens: number): GpuInstanceType {
    const needGiB = weightBytes(m) / GiB + overheadGiBPerGpu(m, 1) + kvBytesPerGpu(m, tokens, 1) / GiB;
    expect(2 * needGiB).toBeLessThan(70);
    return { ...type("g6e.xlarge"), instanceType: "exact.xlarge", gpuMemoryGiB: 2 * needGiB };
}

describe("weights per quantization", () => {
    let q8: ResolvedModel;
    let embedding: number;
    let rest: number;
    beforeEach(() => {
        q8 = model("Qwen/Qwen3-8B");
        embedding = 151936 * 4096 * 2; // untied input and output embeddings stay 16-bit
        rest = 8.2e9 - embedding;
    });

    it("stores bitsandbytes 4-bit weights at 0.52 bytes, like AWQ and GPTQ", () => {
        expect(weightBytes(q8, { quantization: "bitsandbytes" })).toBeCloseTo(embedding * 2 + rest * 0.52, -3);
    });

    it("stores MXFP4 weights at 4.25 bits (4-bit values and one 8-bit scale per 32)", () => {
        expect(weightBytes(q8, { quantization: "mxfp4" })).toBeCloseTo(embedding * 2 + rest * (4.25 / 8), -3);
    });

    it("lets --quantization fp8 win over a checkpoint id that says Int4: one byte per weight", () => {
        const gptq = model("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4");
        const emb = 152064 * 3584 * 2;
        expect(weightBytes(gptq, { quantization: "fp8" })).toBeCloseTo(emb * 2 + (7.61e9 - emb) * 1, -3);
        expect(weightBytes(gptq)).toBeCloseTo(emb * 2 + (7.61e9 - emb) * 0.52, -3);
    });

    // gpt-oss-20b: 20.9B parameters of which 19.12B are MoE experts in MXFP4, the rest bfloat16.
    it("keeps gpt-oss's MXFP4 experts at 4.25 bits and the rest in bfloat16", () => {
        const oss = model("openai/gpt-oss-20b");
        expect(weightBytes(oss)).toBeCloseTo(19.12e9 * (4.25 / 8) + (20.9e9 - 19.12e9) * 2, -3);
        expect(weightBytes(oss, { quantization: "mxfp4" })).toBeCloseTo(19.12e9 * (4.25 / 8) + (20.9e9 - 19.12e9) * 2, -3);
    });

    it("sizes gpt-oss under another quantization as that quantization throughout, embeddings in 16 bits", () => {
        const oss = model("openai/gpt-oss-20b");
        const emb = 2880 * 201088 * 2;
        expect(weightBytes(oss, { quantization: "fp8" })).toBeCloseTo(emb * 2 + (20.9e9 - emb) * 1, -3);
    });

    it("sizes a bfloat16 re-upload of gpt-oss (dtype not mxfp4) at 2 bytes per parameter", () => {
        const bf16 = { ...model("openai/gpt-oss-20b"), dtype: "bfloat16" };
        expect(weightBytes(bf16)).toBeCloseTo(20.9e9 * 2, -3);
    });
});

describe("model facts", () => {
    it("says the facts come from the catalog alone when the service states no architecture", () => {
        expect(resolveModel("Qwen/Qwen3-8B")?.factsFrom).toBe("catalog");
        expect(resolveModel("Qwen/Qwen3-8B", { maxContext: undefined })?.factsFrom).toBe("catalog");
        expect(resolveModel("Qwen/Qwen3-8B", {})?.factsFrom).toBe("catalog");
    });

    it("sizes a model known only from its stated architecture as bfloat16, sourced from the service config", () => {
        expect(resolveModel("acme/support-bot", { paramsBillions: 13, layers: 40, kvHeads: 40, headDim: 128, maxContext: 4096 })).toEqual({
            id: "acme/support-bot",
            task: "chat",
            paramsBillions: 13,
            layers: 40,
            kvHeads: 40,
            headDim: 128,
            maxContext: 4096,
            attentionHeads: undefined,
            intermediateSize: undefined,
            moeIntermediateSize: undefined,
            dtype: "bfloat16",
            source: ["service config"],
            factsFrom: "config",
            checkpointId: "acme/support-bot",
        });
    });

    it("knows the KV geometry only with layers, KV heads and head size, and never for image generation", () => {
        const full = { paramsBillions: 7, layers: 32, kvHeads: 8, headDim: 128 };
        expect(hasKvGeometry(resolveModel("acme/x", full) as ResolvedModel)).toBe(true);
        expect(hasKvGeometry(resolveModel("acme/x", { ...full, layers: undefined }) as ResolvedModel)).toBe(false);
        expect(hasKvGeometry(resolveModel("acme/x", { ...full, kvHeads: undefined }) as ResolvedModel)).toBe(false);
        expect(hasKvGeometry(resolveModel("acme/x", { ...full, headDim: undefined }) as ResolvedModel)).toBe(false);
        // A diffusion transformer's stated blocks and heads (Flux: 57 blocks, 24 heads of 128) are no KV cache.
        const flux = resolveModel("acme/flux", { paramsBillions: 12, layers: 57, kvHeads: 24, headDim: 128 }, ServiceTask.ImageGeneration) as ResolvedModel;
        expect(hasKvGeometry(flux)).toBe(false);
        expect(kvBytesPerToken(flux)).toBe(0);
        expect(kvBytesPerGpu(flux, 4096, 1)).toBe(0);
        expect(estimateFit(flux, type("g6e.xlarge"), 1).maxContext).toBeUndefined();
    });

    it("keeps the serving dtype for the KV cache unless --kv-cache-dtype names an fp8 type", () => {
        const l8 = model("meta-llama/Llama-3.1-8B-Instruct");
        expect(kvBytesPerToken(l8, { engineArgs: ["--kv-cache-dtype", "auto"] })).toBe(2 * 32 * 8 * 128 * 2);
        expect(kvBytesPerToken(l8, { engineArgs: ["--kv-cache-dtype=auto"] })).toBe(2 * 32 * 8 * 128 * 2);
    });
});

describe("runtime overhead per GPU", () => {
    // docs/planner.md: 0.75 GiB non-torch + 0.5 GiB NCCL when t > 1 + 0.5 GiB CUDA graphs
    // + B × hidden × 2 B × (6 + 12 ÷ t) + the sampler's 2 float32 logit copies; diffusion: + 4 GiB.
    it("adds 4 GiB of activations for image generation, and 0.5 GiB of NCCL buffers from two GPUs on", () => {
        const image = model("Qwen/Qwen-Image");
        expect(overheadGiBPerGpu(image, 1)).toBe(0.75 + 0.5 + 4);
        expect(overheadGiBPerGpu(image, 2)).toBe(0.75 + 0.5 + 0.5 + 4);
        // The service's task decides: a chat model served as image generation gets the diffusion figure.
        expect(overheadGiBPerGpu(model("Qwen/Qwen3-8B"), 1, { task: ServiceTask.ImageGeneration })).toBe(5.25);
    });

    it("counts Llama 3.1 8B's profiling activations and logits, split MLP vectors at tensor parallel 2", () => {
        const l8 = model("meta-llama/Llama-3.1-8B-Instruct");
        const logits = 256 * 128256 * 4 * 2;
        expect(overheadGiBPerGpu(l8, 1)).toBeCloseTo(0.75 + 0.5 + (18 * 2048 * 4096 * 2 + logits) / GiB, 12);
        expect(overheadGiBPerGpu(l8, 2)).toBeCloseTo(0.75 + 0.5 + 0.5 + (12 * 2048 * 4096 * 2 + logits) / GiB, 12);
    });

    it("leaves a diffusion model on an H100 the budget less its whole weights and 5.25 GiB", () => {
        const fit = estimateFit(model("Qwen/Qwen-Image"), type("p5.4xlarge"), 1);
        expect(fit.overheadGiBPerGpu).toBe(5.25);
        expect(fit.kvCacheGiBPerGpu).toBeCloseTo(79.65 * 0.9 - (28.8e9 * 2) / GiB - 5.25, 10);
    });

    it("still fits a diffusion model whose weights and overhead fill the budget exactly", () => {
        const image = model("Qwen/Qwen-Image");
        const exact = { ...type("p5.4xlarge"), gpuMemoryGiB: 2 * (weightBytes(image) / GiB + overheadGiBPerGpu(image, 1)) };
        const fit = estimateFit(image, exact, 1, { gpuMemoryUtilization: 0.5 });
        expect(fit.kvCacheGiBPerGpu).toBe(0);
        expect(fit.weightsFit).toBe(true);
    });
});

describe("memory one instance needs", () => {
    it("is Llama 3.1 8B's weights, overhead and 8,192 tokens of KV cache (exactly 1 GiB) over the 0.9 utilization", () => {
        const l8 = model("meta-llama/Llama-3.1-8B-Instruct");
        const overhead = 0.75 + 0.5 + (18 * 2048 * 4096 * 2 + 256 * 128256 * 4 * 2) / GiB;
        expect(kvBytesPerGpu(l8, 8192, 1)).toBe(GiB);
        expect(memoryNeedGiB(l8, {}, 8192)).toBeCloseTo(((8.03e9 * 2) / GiB + overhead + 1) / 0.9, 10);
        expect(memoryNeedGiB(l8, { gpuMemoryUtilization: 0.5 })).toBeCloseTo(((8.03e9 * 2) / GiB + overhead) / 0.5, 10);
    });
});

describe("largest context that fits", () => {
    // Mistral 7B v0.3: 32 full-attention layers × 8 KV heads × 128 × 2 (K, V) × 2 B = 128 KiB per token.
    it("fits a context whose KV cache fills the room exactly (vLLM refuses only when it needs more)", () => {
        const mistral = model("mistralai/Mistral-7B-Instruct-v0.3");
        const fit = estimateFit(mistral, gpuHolding(mistral, 20_000), 1, { gpuMemoryUtilization: 0.5 });
        expect(fit.kvCacheGiBPerGpu * GiB).toBe(20_000 * 131072);
        expect(fit.maxContext).toBe(20_000);
    });

    it("counts one 16-token block of context as fitting", () => {
        const mistral = model("mistralai/Mistral-7B-Instruct-v0.3");
        const fit = estimateFit(mistral, gpuHolding(mistral, 16), 1, { gpuMemoryUtilization: 0.5 });
        expect(fit.kvCacheGiBPerGpu * GiB).toBe(16 * 131072);
        expect(fit).toMatchObject({ weightsFit: true, maxContext: 16 });
        const less = estimateFit(mistral, gpuHolding(mistral, 15), 1, { gpuMemoryUtilization: 0.5 });
        expect(less).toMatchObject({ weightsFit: false, maxContext: 0 });
    });

    // Gemma 3 27B on an H100 at utilization 0.8: budget 63.72 GiB − 54.8 GB of weights − overhead
    // (8,192 batched tokens × 5,376 × 2 B × 18 + 1,024 × 262,208 × 4 B × 2 logits) leaves 7.9565 GiB,
    // 1,042,888 layer-tokens of 8 KiB. Below c = 1,023 + 2 × 8,192 = 17,407 tokens a window layer holds
    // L + 16: (1,042,888 − 52 × 16) ÷ 62 = 16,807 → 16,800 tokens.
    it("solves Gemma 3 27B's context while the window layers still grow with it (below window − 1 + in-flight)", () => {
        const gemma = model("google/gemma-3-27b-it");
        const fit = estimateFit(gemma, type("p5.4xlarge"), 1, { gpuMemoryUtilization: 0.8 });
        expect(fit.kvCacheGiBPerGpu).toBeCloseTo(79.65 * 0.8 - (27.4e9 * 2) / GiB - (0.75 + 0.5 + (18 * 8192 * 5376 * 2 + 1024 * 262208 * 4 * 2) / GiB), 10);
        expect(fit.maxContext).toBe(16_800);
        expect(fit.maxContext).toBe(docLargestContext(gemma, fit.kvCacheGiBPerGpu * GiB, 1, 2 * 8192));
    });

    // Gemma 3 12B on an L40S at 0.6: 2.2559 GiB = 295,685 layer-tokens of 8 KiB; beyond c = 1,023 + 2 × 2,048
    // = 5,119 the 40 window layers hold (⌈5,119 ÷ 16⌉ + 1) × 16 = 5,136 tokens: (295,685 − 40 × 5,136) ÷ 8 = 11,280.
    it("solves Gemma 3 12B's context once the window layers hold their fixed admission (beyond window − 1 + in-flight)", () => {
        const gemma = model("google/gemma-3-12b-it");
        const fit = estimateFit(gemma, type("g6e.xlarge"), 1, { gpuMemoryUtilization: 0.6 });
        expect(fit.maxContext).toBe(11_280);
        expect(fit.maxContext).toBe(docLargestContext(gemma, fit.kvCacheGiBPerGpu * GiB, 1, 2 * 2048));
    });

    it("agrees with the block-by-block walk of the documented formula for window models on several GPUs", () => {
        const cases: Array<[string, string, number, number, number]> = [
            // model, instance type, tensor parallel, utilization, in-flight tokens
            ["google/gemma-3-27b-it", "g6.12xlarge", 4, 0.7, 2 * 2048],
            ["google/gemma-3-27b-it", "g6.12xlarge", 4, 0.8, 2 * 2048],
            ["google/gemma-3-27b-it", "p5.4xlarge", 1, 0.9, 2 * 8192],
            ["google/gemma-3-4b-it", "g6.xlarge", 1, 0.5, 2 * 2048],
            ["openai/gpt-oss-20b", "g6.xlarge", 1, 0.7, 2 * 2048],
            ["openai/gpt-oss-120b", "g6.12xlarge", 4, 0.8, 2 * 2048],
        ];
        for (const [id, name, tp, util, inFlight] of cases) {
            const m = model(id);
            const fit = estimateFit(m, type(name), tp, { gpuMemoryUtilization: util });
            const expected = docLargestContext(m, fit.kvCacheGiBPerGpu * GiB, tp, inFlight);
            expect(expected, `${id} on ${name}`).toBeGreaterThan(0);
            expect(expected, `${id} on ${name}`).toBeLessThan(m.maxContext as number);
            expect(fit.maxContext, `${id} on ${name} ×${tp} at ${util}`).toBe(expected);
        }
    });

    describe("every layer windowed (Mistral 7B v0.1's 4,096-token window)", () => {
        let mistral: ResolvedModel;
        beforeEach(() => {
            mistral = { ...model("mistralai/Mistral-7B-Instruct-v0.3"), slidingWindow: 4096, slidingWindowLayers: 32 };
        });

        // On 2,048-token batches a window layer holds at most (⌈(4,095 + 4,096) ÷ 16⌉ + 1) × 16 = 8,208 tokens.
        it("serves the model's whole context once 8,208 tokens per layer fit", () => {
            expect(kvBytesPerGpu(mistral, 32_768, 1)).toBe(4096 * 32 * 8208);
            expect(estimateFit(mistral, type("g6e.xlarge"), 1).maxContext).toBe(32_768);
            const exact = estimateFit(mistral, gpuHolding(mistral, 32_768), 1, { gpuMemoryUtilization: 0.5 });
            expect(exact.kvCacheGiBPerGpu * GiB).toBe(4096 * 32 * 8208);
            expect(exact.maxContext).toBe(32_768);
        });

        it("grows the context with the window layers below that", () => {
            const fit = estimateFit(mistral, gpuHolding(mistral, 4096), 1, { gpuMemoryUtilization: 0.5 });
            expect(fit.maxContext).toBe(4096);
        });
    });

    // The comment above tokensThatFit: the largest context is solved, not searched — one check of a
    // block and one of the answer. A search block by block costs thousands of evaluations per estimate,
    // and the planner estimates every model on every instance type (docs/planner.md's timings).
    it("finds a window model's largest context in closed form: at most two KV evaluations per estimate", () => {
        const count = vi.mocked(slidingWindowAdmissionTokens);
        const mistral = { ...model("mistralai/Mistral-7B-Instruct-v0.3"), slidingWindow: 4096, slidingWindowLayers: 32 };
        const cases: Array<[ResolvedModel, GpuInstanceType, number, number]> = [
            [model("google/gemma-3-27b-it"), type("p5.4xlarge"), 1, 0.8],
            [model("google/gemma-3-27b-it"), type("p5.4xlarge"), 1, 0.9],
            [model("google/gemma-3-27b-it"), type("g6.12xlarge"), 4, 0.7],
            [model("google/gemma-3-12b-it"), type("g6e.xlarge"), 1, 0.6],
            [model("openai/gpt-oss-20b"), type("g6.xlarge"), 1, 0.7],
            [mistral, gpuHolding(mistral, 4096), 1, 0.5],
        ];
        for (const [m, t, tp, util] of cases) {
            count.mockClear();
            const fit = estimateFit(m, t, tp, { gpuMemoryUtilization: util });
            expect(fit.maxContext, m.id).toBeLessThan(m.maxContext as number);
            expect(count.mock.calls.length, `${m.id} on ${t.instanceType}`).toBeLessThanOrEqual(2);
        }
    });
});

describe("a model whose own maximum context is not a whole number of KV blocks", () => {
    // vLLM gives a request ⌈L ÷ 16⌉ blocks: a 514-token model needs 33 blocks, not a 512-token cut.
    const embedder = (maxContext: number) =>
        resolveModel("acme/xlmr-embedder", { paramsBillions: 0.56, layers: 24, kvHeads: 16, headDim: 64, maxContext }, ServiceTask.Embedding) as ResolvedModel;
    let l40s: GpuInstanceType;
    beforeEach(() => {
        l40s = findGpuInstanceType("g6e.xlarge")!;
    });

    it("fits at its own maximum where its blocks fit", () => {
        expect(estimateFit(embedder(514), l40s, 1).maxContext).toBe(514);
        expect(estimateFit(embedder(514), l40s, 1).weightsFit).toBe(true);
    });

    it("fits a maximum shorter than one block", () => {
        expect(estimateFit(embedder(8), l40s, 1)).toMatchObject({ weightsFit: true, maxContext: 8 });
    });
});
