import { describe, expect, it } from "vitest";
import { gpuInstanceTypes } from "../catalog/gpuInstances";
import { smallestFit, tensorParallelSizes } from "./fit";
import { estimateFit, weightBytes } from "./footprint";
import { batchDefaults, maxConcurrentBatches, slidingWindowAdmissionTokens, tensorParallelProblem, validTensorParallelSizes } from "./vllmRules";
import { model, type } from "../../test/helpers/catalog";

const GiB = 1024 ** 3;

describe("tensor-parallel sizes vLLM 0.26.0 accepts", () => {
    // ModelConfig.verify_with_parallel_config (vllm/config/model.py:1224) and
    // QKVParallelLinear (vllm/model_executor/layers/linear.py:1003-1009).
    it("refuses 8 GPUs for Qwen2.5-7B's 28 attention heads, with vLLM's own words", () => {
        const qwen = model("Qwen/Qwen2.5-7B-Instruct");
        expect(tensorParallelProblem(qwen, 8)).toBe(
            'its 28 attention heads are not divisible by 8 (vLLM: "Total number of attention heads (28) must be divisible by tensor parallel size (8)")',
        );
        expect(validTensorParallelSizes(qwen, 8)).toEqual([1, 2, 4]);
        // 7 divides the 28 heads, but 4 KV heads can be neither split nor replicated over 7 GPUs.
        expect(tensorParallelProblem(qwen, 7)).toBe("its 4 KV heads can be neither split nor replicated evenly over 7 GPUs");
    });

    it("refuses 5 GPUs for Qwen3-14B: its 40 attention heads divide, but 8 KV heads cannot be split over 5", () => {
        // Fewer GPUs than KV heads: QKVParallelLinear splits them, divide(8, 5) fails.
        const q14 = model("Qwen/Qwen3-14B");
        expect(tensorParallelProblem(q14, 5)).toBe("its 8 KV heads can be neither split nor replicated evenly over 5 GPUs");
        expect(validTensorParallelSizes(q14, 8)).toEqual([1, 2, 4, 8]);
    });

    it("checks the MLP's and the experts' intermediate sizes (divide(), fused_moe/config.py:1328)", () => {
        expect(tensorParallelProblem({ attentionHeads: 24, kvHeads: 8, intermediateSize: 8192 }, 5)).toMatch(/^its 24 attention heads are not divisible by 5 /);
        expect(tensorParallelProblem({ attentionHeads: 48, kvHeads: 48, intermediateSize: 1000 }, 16)).toBe("its MLP intermediate size 1000 is not divisible by 16");
        expect(tensorParallelProblem({ attentionHeads: 64, kvHeads: 8, moeIntermediateSize: 1000 }, 16)).toBe("its experts' intermediate size 1000 is not divisible by 16");
        expect(tensorParallelProblem({}, 5)).toBeUndefined();
    });

    it("offers the planner only the powers of two vLLM accepts for the model", () => {
        expect(tensorParallelSizes(8, model("meta-llama/Llama-3.2-3B-Instruct"))).toEqual([1, 2, 4, 8]);
        expect(tensorParallelSizes(8, model("Qwen/Qwen2.5-7B-Instruct"))).toEqual([1, 2, 4]);
        // gemma-3-4b has 8 attention heads: a 16-GPU tensor-parallel group would be refused.
        expect(tensorParallelSizes(16, model("google/gemma-3-4b-it"))).toEqual([1, 2, 4, 8]);
    });

    it("never chooses a size vLLM refuses, on any catalog instance type", () => {
        const qwen = model("Qwen/Qwen2.5-7B-Instruct");
        // At a tiny memory budget only the largest groups would hold it: 8 GPUs must still not be picked.
        for (const t of gpuInstanceTypes) {
            const fit = smallestFit(qwen, t, { gpuMemoryUtilization: 0.15 }, qwen.maxContext);
            expect(fit === undefined || tensorParallelProblem(qwen, fit.gpus) === undefined, t.instanceType).toBe(true);
        }
        expect(smallestFit(qwen, type("g6.48xlarge"), { gpuMemoryUtilization: 0.15 }, qwen.maxContext)).toBeUndefined();
    });
});

describe("footprint rules from vLLM 0.26.0's source", () => {
    // EngineArgs.get_batch_defaults (vllm/engine/arg_utils.py:2431-2478), OpenAI server.
    it("uses vLLM's batch defaults for the node's GPU: 8192/1024 on H100 and H200, 2048/256 on L4, L40S, A10G and A100", () => {
        expect(batchDefaults(type("p5.48xlarge"))).toEqual({ maxNumBatchedTokens: 8192, maxNumSeqs: 1024 });
        expect(batchDefaults(type("p5en.48xlarge"))).toEqual({ maxNumBatchedTokens: 8192, maxNumSeqs: 1024 });
        for (const t of ["g6.xlarge", "g6e.xlarge", "g5.xlarge", "p4d.24xlarge", "p4de.24xlarge"]) {
            expect(batchDefaults(type(t)), t).toEqual({ maxNumBatchedTokens: 2048, maxNumSeqs: 256 });
        }
    });

    it("counts a GPU of exactly 70 GiB as large, as vLLM's `device_memory >= 70 * GiB_bytes` does", () => {
        // No catalog GPU sits at the boundary (L40S 44.99, H100 79.65 GiB): the rule itself is checked.
        expect(batchDefaults({ gpuModel: "NVIDIA GPU", gpuMemoryGiB: 70 })).toEqual({ maxNumBatchedTokens: 8192, maxNumSeqs: 1024 });
        expect(batchDefaults({ gpuModel: "NVIDIA GPU", gpuMemoryGiB: 69.99 })).toEqual({ maxNumBatchedTokens: 2048, maxNumSeqs: 256 });
    });

    it("sizes the profiling run's activations with the node's batch defaults, engineArgs winning", () => {
        const l8 = model("meta-llama/Llama-3.1-8B-Instruct");
        const onL4 = estimateFit(l8, type("g6.xlarge"), 1).overheadGiBPerGpu;
        const onL4At8192 = estimateFit(l8, type("g6.xlarge"), 1, { engineArgs: ["--max-num-batched-tokens", "8192", "--max-num-seqs=1024"] }).overheadGiBPerGpu;
        const onH100 = estimateFit(l8, type("p5.4xlarge"), 1).overheadGiBPerGpu;
        expect(onL4).toBeLessThan(onH100 - 0.5);
        expect(onL4At8192).toBeCloseTo(onH100, 6);
    });

    // VllmConfig.max_concurrent_batches (vllm/config/vllm.py:512-525) with async scheduling
    // on by default except for pooling models (vllm/config/vllm.py:1059-1107).
    it("counts two batches in flight with async scheduling, one for embeddings or --no-async-scheduling", () => {
        expect(maxConcurrentBatches("chat")).toBe(2);
        expect(maxConcurrentBatches("embedding")).toBe(1);
        expect(maxConcurrentBatches("chat", ["--no-async-scheduling"])).toBe(1);
    });

    it("recognises --no-async-scheduling only as a whole argument, spelt with dashes or underscores", () => {
        // vLLM's parser accepts --no_async_scheduling for --no-async-scheduling.
        expect(maxConcurrentBatches("chat", ["--max-num-seqs", "64", "--no_async_scheduling"])).toBe(1);
        expect(maxConcurrentBatches("chat", ["--no-async-scheduling-foo"])).toBe(2);
        expect(maxConcurrentBatches("chat", ["x--no-async-scheduling"])).toBe(2);
        expect(maxConcurrentBatches("chat", ["--async-scheduling"])).toBe(2);
    });

    it("takes the last of --async-scheduling and --no-async-scheduling, as vLLM's BooleanOptionalAction does", () => {
        expect(maxConcurrentBatches("chat", ["--no-async-scheduling", "--async-scheduling"])).toBe(2);
        expect(maxConcurrentBatches("chat", ["--async-scheduling", "--no_async_scheduling"])).toBe(1);
        // Only whole arguments count: a later value that merely ends in the flag's name is no flag.
        expect(maxConcurrentBatches("chat", ["--no-async-scheduling", "x--async-scheduling"])).toBe(1);
        // Explicitly on, it is on for pooling models too; only the default leaves them out.
        expect(maxConcurrentBatches("embedding", ["--async-scheduling"])).toBe(2);
        expect(maxConcurrentBatches("embedding", ["--no-async-scheduling"])).toBe(1);
    });

    // SlidingWindowSpec.max_admission_blocks_per_request (vllm/v1/kv_cache_interface.py:567-588).
    it("admits min(window − 1 + in-flight tokens, max_model_len) tokens per window layer, in blocks, plus one block", () => {
        expect(slidingWindowAdmissionTokens(128, 16384, 131072, 16)).toBe((Math.ceil(16511 / 16) + 1) * 16);
        expect(slidingWindowAdmissionTokens(1024, 4096, 100, 16)).toBe((7 + 1) * 16);
    });

    it("sizes a …quantized.w4a16 checkpoint as 4-bit: Llama-3.3-70B W4A16 at 32K plans 1 H100, not 2", () => {
        const w4a16 = model("RedHatAI/Llama-3.3-70B-Instruct-quantized.w4a16");
        expect(w4a16.impliedQuantization).toBe("compressed-tensors");
        expect(weightBytes(w4a16) / GiB).toBeLessThan(40);
        expect(smallestFit(w4a16, type("p5.48xlarge"), {}, 32_768)?.gpus).toBe(1);
        const w8a8 = model("RedHatAI/Llama-3.3-70B-Instruct-quantized.w8a8");
        expect(weightBytes(w8a8) / GiB).toBeGreaterThan(64);
    });

    // gpt-oss model card (arXiv 2508.10925, Table 1): MXFP4 holds the MoE experts only.
    it("applies MXFP4 to gpt-oss's expert weights only, attention and embeddings staying bfloat16", () => {
        const oss = model("openai/gpt-oss-120b");
        const experts = 114.71e9;
        expect(weightBytes(oss)).toBeCloseTo(experts * (4.25 / 8) + (116.8e9 - experts) * 2, -6);
        // The published checkpoint is about 65 GB (60.8 GiB); the planner must not come in under it.
        expect(weightBytes(oss) / GiB).toBeGreaterThan(60.5);
        expect(weightBytes(oss, { dtype: "bfloat16" })).toBeCloseTo(116.8e9 * 2, -6);
    });
});
