import { ServiceTask } from "../config/rules";
import { images } from "../versions";

/** The vLLM release the images pin (`v0.26.0`), for messages that restate its rules. */
export const pinnedVllmVersion = images.vllm.split(":").pop() as string;

/**
 * Rules the pinned vLLM (0.26.0) applies at start, written as the planner needs them. Each
 * cites the source it restates; test/vllmArgs.test.ts and components/plan/vllmRules.test.ts
 * hold the evidence.
 */

/** The model dimensions tensor parallelism splits. */
export interface ShardedDimensions {
    /** num_attention_heads. */
    attentionHeads?: number;
    /** num_key_value_heads. */
    kvHeads?: number;
    /** The dense MLP's intermediate_size. */
    intermediateSize?: number;
    /** One expert's intermediate size (moe_intermediate_size, or intermediate_size of MoE configs). */
    moeIntermediateSize?: number;
}

/**
 * Why vLLM refuses tensor-parallel size `tp` for a model, or undefined when it does not (or
 * the dimensions are unknown):
 * - ModelConfig.verify_with_parallel_config (vllm/config/model.py:1224): "Total number of
 *   attention heads ({n}) must be divisible by tensor parallel size ({tp})."
 * - QKVParallelLinear (vllm/model_executor/layers/linear.py:1003-1009): KV heads are split
 *   when tp < kvHeads (kvHeads % tp == 0), replicated otherwise (tp % kvHeads == 0).
 * - ColumnParallelLinear / RowParallelLinear divide() the MLP's intermediate size by tp
 *   (vllm/distributed/utils.py:53 "{a} is not divisible by {b}").
 * - FusedMoEConfig.__post_init__ (vllm/model_executor/layers/fused_moe/config.py:1328):
 *   `assert intermediate_size % tp_size == 0`.
 * The vocabulary is padded to a multiple of 64 before it is split, so powers of two up to 64
 * always divide it.
 */
export function tensorParallelProblem(dims: ShardedDimensions, tp: number): string | undefined {
    const { attentionHeads: heads, kvHeads, intermediateSize, moeIntermediateSize } = dims;
    if (heads !== undefined && heads % tp !== 0) {
        return `its ${heads} attention heads are not divisible by ${tp} (vLLM: "Total number of attention heads (${heads}) must be divisible by tensor parallel size (${tp})")`;
    }
    if (kvHeads !== undefined && (tp >= kvHeads ? tp % kvHeads !== 0 : kvHeads % tp !== 0)) {
        return `its ${kvHeads} KV heads can be neither split nor replicated evenly over ${tp} GPUs`;
    }
    if (intermediateSize !== undefined && intermediateSize % tp !== 0) {
        return `its MLP intermediate size ${intermediateSize} is not divisible by ${tp}`;
    }
    if (moeIntermediateSize !== undefined && moeIntermediateSize % tp !== 0) {
        return `its experts' intermediate size ${moeIntermediateSize} is not divisible by ${tp}`;
    }
    return undefined;
}

/** The tensor-parallel sizes from 1 to `maxGpus` vLLM accepts for a model. */
export function validTensorParallelSizes(dims: ShardedDimensions, maxGpus: number): number[] {
    return Array.from({ length: maxGpus }, (_, i) => i + 1).filter((tp) => tensorParallelProblem(dims, tp) === undefined);
}

/** vLLM's scheduler batch limits: `--max-num-batched-tokens` and `--max-num-seqs`. */
export interface BatchLimits {
    maxNumBatchedTokens: number;
    maxNumSeqs: number;
}

/**
 * The OpenAI server's defaults by GPU (EngineArgs.get_batch_defaults,
 * vllm/engine/arg_utils.py:2431-2478): a GPU of at least 70 GiB whose name does not contain
 * "a100" gets 8192 batched tokens and 1024 sequences; every other 2048 and 256.
 */
export function batchDefaults(gpu: { gpuModel: string; gpuMemoryGiB: number }): BatchLimits {
    const large = gpu.gpuMemoryGiB >= 70 && !gpu.gpuModel.toLowerCase().includes("a100");
    return large ? { maxNumBatchedTokens: 8192, maxNumSeqs: 1024 } : { maxNumBatchedTokens: 2048, maxNumSeqs: 256 };
}

/**
 * Batches in flight at once (VllmConfig.max_concurrent_batches, vllm/config/vllm.py:512-525):
 * 2 with async scheduling and no pipeline parallelism, else the pipeline size (1 here). Async
 * scheduling is on by default except for pooling models (vllm/config/vllm.py:1059-1107), so
 * off for embedding services unless `--async-scheduling` is given, and off when
 * `--no-async-scheduling` is (a BooleanOptionalAction: of the two, the last one given wins).
 */
export function maxConcurrentBatches(task: string | undefined, engineArgs: readonly string[] = []): number {
    const last = [...engineArgs].reverse().find((a) => /^--(no[-_])?async[-_]scheduling$/.test(a));
    // Given explicitly, it holds for every model (vllm/config/vllm.py:1028-1058); unset, pooling models go without.
    const asyncOff = last === undefined ? task === ServiceTask.Embedding : last.startsWith("--no");
    return asyncOff ? 1 : 2;
}

/**
 * Tokens of KV cache one sliding-window layer reserves for a request
 * (SlidingWindowSpec.max_admission_blocks_per_request, vllm/v1/kv_cache_interface.py:567-588):
 * min(window − 1 + in-flight tokens, max_model_len) tokens, in whole blocks, plus one block
 * because the window may not start at a block boundary. In-flight tokens =
 * max_concurrent_batches × max_num_batched_tokens (VllmConfig.max_in_flight_tokens).
 */
export function slidingWindowAdmissionTokens(window: number, inFlightTokens: number, maxModelLen: number, blockTokens: number): number {
    const tokens = Math.min(window - 1 + inFlightTokens, maxModelLen);
    return (Math.ceil(tokens / blockTokens) + 1) * blockTokens;
}
