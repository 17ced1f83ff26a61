import { GpuInstanceType } from "../catalog/gpuInstances";
import { findModel, ModelSpec } from "../catalog/models";
import { defaults, ServiceTask, WeightsDtype } from "../config/rules";
import { ModelArchitectureConfig } from "../config/types";
import { loraBytesPerGpu, LoraSlots } from "./lora";
import { BatchLimits, batchDefaults, maxConcurrentBatches, slidingWindowAdmissionTokens } from "./vllmRules";

/**
 * How much GPU memory a model needs under vLLM, and what fits where. Pure arithmetic on
 * published model facts; no Pulumi, no I/O. The formula (see docs/planner.md):
 *
 *   per GPU: gpuMemoryGiB × gpu-memory-utilization
 *            = weights ÷ tensor-parallel size + runtime overhead + KV cache
 *   KV cache per token = 2 (K and V) × layers × KV heads per GPU × head size × KV bytes
 *
 * and the largest context that fits is the KV cache room divided by the per-token size
 * (vLLM refuses to start when one request of `--max-model-len` tokens cannot fit).
 */

/** GiB, the unit vLLM logs and the instance catalog use. */
const GiB = 1024 ** 3;

/** Runtime memory vLLM needs per GPU besides weights and KV cache, and the defaults it runs with. */
export const footprintDefaults = {
    /** CUDA context, cuBLAS/cuDNN workspaces and other memory outside PyTorch's allocator. */
    nonTorchGiB: 0.75,
    /** NCCL and custom all-reduce buffers on each GPU once tensor parallelism is on. */
    tensorParallelCommGiB: 0.5,
    /** CUDA graphs vLLM captures at start-up (0.5–0.7 GiB in published logs). */
    cudaGraphGiB: 0.5,
    /**
     * `--max-num-batched-tokens` / `--max-num-seqs` (the profiling run's batch and the
     * sampler's dummy batch) when the GPU is not known: the smaller of vLLM's two defaults
     * (vllmRules.batchDefaults); a known GPU gets its own.
     */
    batch: { maxNumBatchedTokens: 2048, maxNumSeqs: 256 } as BatchLimits,
    /**
     * Peak activations of the profiling run, in hidden-size vectors per batched token: the
     * residual stream and attention scratch (not split by tensor parallelism) and the MLP's
     * gate/up projections (split). With the sampler's float32 logits this reproduces vLLM's
     * measured 1.26 GiB for Llama 3 8B at 8,192 tokens within 0.15 GiB.
     */
    activationVectorsPerToken: { replicated: 6, split: 12 },
    /** Copies of the sampler's float32 logits (logits and probabilities). */
    logitCopies: 2,
    /** Activation peak when the model's hidden size is unknown. */
    activationFallbackGiB: 1.5,
    /** Diffusion models: latents, attention and VAE decode of a 1024×1024 image with guidance. */
    imageGenerationActivationGiB: 4.0,
    /** vLLM's KV cache block: contexts are whole blocks. */
    blockTokens: 16,
} as const;

/** Bytes per weight of 4-bit group-quantized checkpoints (AWQ, GPTQ, bitsandbytes): 0.5 + scales and zero points of 128-weight groups. */
const fourBitBytes = 0.52;
/** MXFP4: 4-bit values plus one 8-bit scale per 32 values = 4.25 bits. */
const mxfp4Bytes = 4.25 / 8;

/** A model as the planner sizes it: catalog facts, overridden by whatever the service states. */
export interface ResolvedModel extends ModelSpec {
    /** Where the facts come from. */
    factsFrom: "catalog" | "config" | "catalog+config";
    /** Quantization the model id implies (`…-AWQ`, `…-FP8`) when the service names none. */
    impliedQuantization?: string;
    /** The id the service serves (a quantized re-upload's, not its catalog base's). */
    checkpointId: string;
}

/**
 * The facts to size a service's model with: the catalog entry merged with the service's
 * `architecture` (which wins), or only the latter. Undefined when the parameter count is
 * unknown, which the planner reports as a config problem.
 */
export function resolveModel(model: string, architecture?: ModelArchitectureConfig, task?: string): ResolvedModel | undefined {
    const found = findModel(model);
    const stated = Object.fromEntries(Object.entries(architecture ?? {}).filter(([, v]) => v !== undefined)) as ModelArchitectureConfig;
    const hasStated = Object.keys(stated).length > 0;
    if (found) {
        return {
            ...found.spec,
            ...stated,
            factsFrom: hasStated ? "catalog+config" : "catalog",
            impliedQuantization: found.impliedQuantization,
            checkpointId: model,
        };
    }
    if (stated.paramsBillions === undefined) {
        return undefined;
    }
    return {
        id: model,
        task: task ?? ServiceTask.Chat,
        paramsBillions: stated.paramsBillions,
        layers: stated.layers,
        kvHeads: stated.kvHeads,
        headDim: stated.headDim,
        maxContext: stated.maxContext,
        attentionHeads: stated.attentionHeads,
        intermediateSize: stated.intermediateSize,
        moeIntermediateSize: stated.moeIntermediateSize,
        dtype: "bfloat16",
        source: ["service config"],
        factsFrom: "config",
        checkpointId: model,
    };
}

/** How a service runs its model: the vLLM settings that change its memory. */
export interface ServingOptions {
    /** vLLM `--dtype`. @default "auto" */
    dtype?: string;
    /** vLLM `--quantization`; the model id's implied quantization when omitted. */
    quantization?: string;
    /** vLLM `--gpu-memory-utilization`. @default 0.9 */
    gpuMemoryUtilization?: number;
    /** Extra vLLM flags; `--kv-cache-dtype` and `--max-num-batched-tokens` are read. */
    engineArgs?: readonly string[];
    /** @default "chat" */
    task?: string;
    /** vLLM's batch defaults on the GPU the service runs on (estimateFit sets them); `engineArgs` win. */
    batch?: BatchLimits;
    /** The LoRA slots of a base serving adapters: their buffers count as overhead. */
    lora?: LoraSlots;
}

/** The serving options of a parsed service. */
export function servingOptions(service: { dtype: string; quantization?: string; gpuMemoryUtilization: number; engineArgs: readonly string[]; task: string; lora?: LoraSlots }): ServingOptions {
    return {
        lora: service.lora,
        dtype: service.dtype,
        quantization: service.quantization,
        gpuMemoryUtilization: service.gpuMemoryUtilization,
        engineArgs: service.engineArgs,
        task: service.task,
    };
}

/** The value of `--flag value` or `--flag=value` in vLLM arguments. */
function engineArg(args: readonly string[] | undefined, flag: string): string | undefined {
    for (const [i, arg] of (args ?? []).entries()) {
        if (arg === flag) {
            return args?.[i + 1];
        }
        if (arg.startsWith(`${flag}=`)) {
            return arg.slice(flag.length + 1);
        }
    }
    return undefined;
}

/**
 * Bytes per parameter of the weights vLLM keeps in GPU memory. `auto` serves float32 and
 * float16 checkpoints as float16 and bfloat16 ones as bfloat16 (vLLM's `--dtype` docs), so
 * 2 bytes; quantized weights keep the embeddings in 16 bits.
 */
export function weightBytes(model: ResolvedModel, opts: ServingOptions = {}): number {
    const dtype = opts.dtype ?? defaults.dtype;
    const unquantized = dtype === "float32" ? 4 : 2;
    const quantization = opts.quantization ?? model.impliedQuantization;
    let quantized: number;
    switch (quantization) {
        case "awq":
        case "gptq":
        case "bitsandbytes":
            quantized = fourBitBytes;
            break;
        case "fp8":
            quantized = 1;
            break;
        case "compressed-tensors":
            // The checkpoint's own id: `…-quantized.w4a16` names 4-bit weights, its catalog base does not.
            quantized = /w4a16|int4/i.test(model.checkpointId) ? fourBitBytes : 1;
            break;
        case "mxfp4":
            quantized = mxfp4Bytes;
            break;
        default:
            quantized = unquantized;
    }
    const params = model.paramsBillions * 1e9;
    if (model.dtype === "mxfp4" && model.expertParamsBillions !== undefined && (quantization ?? "mxfp4") === "mxfp4" && dtype === WeightsDtype.Auto) {
        // gpt-oss: MXFP4 holds only the MoE experts' weights; attention, router and embeddings stay bfloat16.
        const experts = model.expertParamsBillions * 1e9;
        return experts * mxfp4Bytes + (params - experts) * unquantized;
    }
    const embedding = model.hiddenSize && model.vocabSize ? model.hiddenSize * model.vocabSize * (model.tiedEmbeddings ? 1 : 2) : 0;
    return Math.min(embedding, params) * unquantized + Math.max(0, params - embedding) * quantized;
}

/** True when the model's KV-cache geometry is known, so contexts can be checked. */
export function hasKvGeometry(model: ResolvedModel): boolean {
    return model.task !== ServiceTask.ImageGeneration && model.layers !== undefined && model.kvHeads !== undefined && model.headDim !== undefined;
}

/** Bytes of one KV-cache element: `--kv-cache-dtype fp8*` halves it; otherwise the serving dtype. */
export function kvElementBytes(opts: ServingOptions = {}): number {
    const kvDtype = engineArg(opts.engineArgs, "--kv-cache-dtype");
    return kvDtype?.startsWith("fp8") ? 1 : activationElementBytes(opts);
}

/** Bytes of one element in the model's compute dtype (activations, an unquantized KV cache, LoRA buffers). */
const activationElementBytes = (opts: ServingOptions): number => (opts.dtype === "float32" ? 4 : 2);

/** KV heads one GPU holds at a tensor-parallel size: heads are split, and replicated when fewer than GPUs. */
function kvHeadsPerGpu(model: ResolvedModel, tensorParallel: number): number {
    return Math.max(1, Math.ceil((model.kvHeads ?? 0) / tensorParallel));
}

/** KV-cache bytes one token adds to a layer that attends to the whole context, summed over all layers and both K and V, on all GPUs together. */
export function kvBytesPerToken(model: ResolvedModel, opts: ServingOptions = {}): number {
    if (!hasKvGeometry(model)) {
        return 0;
    }
    return 2 * (model.layers ?? 0) * (model.kvHeads ?? 0) * (model.headDim ?? 0) * kvElementBytes(opts);
}

/** `--max-num-batched-tokens` and `--max-num-seqs`: the service's engineArgs, else vLLM's default for its GPU. */
export function batchLimits(opts: ServingOptions = {}): BatchLimits {
    const base = opts.batch ?? footprintDefaults.batch;
    return {
        maxNumBatchedTokens: Number(engineArg(opts.engineArgs, "--max-num-batched-tokens")) || base.maxNumBatchedTokens,
        maxNumSeqs: Number(engineArg(opts.engineArgs, "--max-num-seqs")) || base.maxNumSeqs,
    };
}

/**
 * KV-cache bytes one GPU reserves for one request of `tokens` tokens (`--max-model-len`):
 * full-attention layers hold every token; sliding-window layers what vLLM admits against
 * (vllmRules.slidingWindowAdmissionTokens: window − 1 + the tokens in flight, +1 block).
 */
export function kvBytesPerGpu(model: ResolvedModel, tokens: number, tensorParallel: number, opts: ServingOptions = {}): number {
    if (!hasKvGeometry(model)) {
        return 0;
    }
    const k = kvLayout(model, tensorParallel, opts);
    const windowTokens = k.windowLayers > 0 ? slidingWindowAdmissionTokens(k.window, k.inFlight, tokens, footprintDefaults.blockTokens) : 0;
    return k.perLayerToken * (k.fullLayers * tokens + k.windowLayers * windowTokens);
}

/** The KV cache's shape on one GPU: bytes per layer and token, full and sliding-window layers, tokens in flight. */
function kvLayout(model: ResolvedModel, tensorParallel: number, opts: ServingOptions) {
    const windowLayers = model.slidingWindow ? (model.slidingWindowLayers ?? 0) : 0;
    return {
        perLayerToken: 2 * kvHeadsPerGpu(model, tensorParallel) * (model.headDim ?? 0) * kvElementBytes(opts),
        fullLayers: (model.layers ?? 0) - windowLayers,
        windowLayers,
        window: model.slidingWindow ?? 0,
        inFlight: maxConcurrentBatches(opts.task ?? model.task, opts.engineArgs) * batchLimits(opts).maxNumBatchedTokens,
    };
}

/** Memory vLLM uses per GPU besides weights and KV cache: CUDA context, NCCL, CUDA graphs, the profiling run's activations, LoRA buffers. */
export function overheadGiBPerGpu(model: ResolvedModel, tensorParallel: number, opts: ServingOptions = {}): number {
    const d = footprintDefaults;
    const fixed = d.nonTorchGiB + (tensorParallel > 1 ? d.tensorParallelCommGiB : 0) + d.cudaGraphGiB;
    if ((opts.task ?? model.task) === ServiceTask.ImageGeneration) {
        return fixed + d.imageGenerationActivationGiB;
    }
    const { maxNumBatchedTokens: batched, maxNumSeqs: seqs } = batchLimits(opts);
    // A dense transformer has ≈ 12 × layers × hidden² parameters: estimate the hidden size when unknown.
    const hidden = model.hiddenSize ?? (model.layers ? Math.sqrt((model.paramsBillions * 1e9) / (12 * model.layers)) : undefined);
    const vectors = d.activationVectorsPerToken.replicated + d.activationVectorsPerToken.split / tensorParallel;
    const logits = model.vocabSize ? seqs * model.vocabSize * 4 * d.logitCopies : 0;
    const activation = hidden ? (vectors * batched * hidden * activationElementBytes(opts) + logits) / GiB : d.activationFallbackGiB;
    const lora = opts.lora ? (loraBytesPerGpu(model, opts.lora, tensorParallel, activationElementBytes(opts)) ?? 0) / GiB : 0;
    return fixed + activation + lora;
}

/** What one instance of a model looks like on `gpus` GPUs of an instance type. */
export interface GpuFit {
    instanceType: string;
    gpuModel: string;
    /** GPUs per instance (vLLM's tensor-parallel size). */
    gpus: number;
    /** gpuMemoryGiB × gpu-memory-utilization. */
    budgetGiBPerGpu: number;
    weightsGiBPerGpu: number;
    overheadGiBPerGpu: number;
    /** What is left for the KV cache; negative when the weights do not fit. */
    kvCacheGiBPerGpu: number;
    /** True when weights, overhead and at least one KV block fit. */
    weightsFit: boolean;
    /**
     * Longest context one request can have (whole KV blocks, or the model's own
     * maximum); 0 when the weights do not fit; undefined when the KV geometry is unknown
     * or the model has no context (image generation).
     */
    maxContext?: number;
}

/** The largest context (whole blocks, or the model's own maximum) whose KV cache fits in `bytes` on one GPU. */
function tokensThatFit(model: ResolvedModel, bytes: number, tensorParallel: number, opts: ServingOptions): number {
    const block = footprintDefaults.blockTokens;
    const cap = model.maxContext ?? Infinity;
    const fits = (tokens: number) => kvBytesPerGpu(model, tokens, tensorParallel, opts) <= bytes;
    if (bytes <= 0 || !fits(Math.min(block, cap))) {
        return 0;
    }
    // Solve kvBytesPerGpu(L) = bytes: a window layer holds L + 1 block while L < c, then (⌈c ÷ block⌉ + 1) blocks.
    const { perLayerToken, fullLayers, windowLayers, window, inFlight } = kvLayout(model, tensorParallel, opts);
    const room = bytes / perLayerToken;
    const c = window - 1 + inFlight;
    const heldAtC = (Math.ceil(c / block) + 1) * block;
    const beyond = fullLayers > 0 ? (room - windowLayers * heldAtC) / fullLayers : room >= windowLayers * heldAtC ? Infinity : -1;
    const within = (room - windowLayers * block) / (fullLayers + windowLayers);
    // Whole blocks, then the model's own maximum (need not be whole blocks: vLLM gives ⌈L ÷ block⌉).
    let tokens = Math.min(Math.floor((windowLayers > 0 && beyond < c ? within : beyond) / block) * block, cap);
    while (tokens > 0 && !fits(tokens)) {
        tokens = Math.ceil(tokens / block) * block - block;
    }
    return Math.max(0, tokens);
}

/** Estimates one instance of `model` on `gpus` GPUs of `type`. */
export function estimateFit(model: ResolvedModel, type: GpuInstanceType, gpus: number, servingOpts: ServingOptions = {}): GpuFit {
    const opts: ServingOptions = { ...servingOpts, batch: servingOpts.batch ?? batchDefaults(type) };
    const budget = type.gpuMemoryGiB * (opts.gpuMemoryUtilization ?? defaults.gpuMemoryUtilization);
    // vLLM shards weights across tensor-parallel GPUs; vLLM-Omni's diffusion pipelines keep a whole copy per GPU.
    const shards = (opts.task ?? model.task) === ServiceTask.ImageGeneration ? 1 : gpus;
    const weights = weightBytes(model, opts) / shards / GiB;
    const overhead = overheadGiBPerGpu(model, gpus, opts);
    const kvCache = budget - weights - overhead;
    const geometry = hasKvGeometry(model);
    const maxContext = geometry ? tokensThatFit(model, kvCache * GiB, gpus, opts) : undefined;
    const weightsFit = geometry ? (maxContext ?? 0) >= Math.min(footprintDefaults.blockTokens, model.maxContext ?? Infinity) : kvCache >= 0;
    return {
        instanceType: type.instanceType,
        gpuModel: type.gpuModel,
        gpus,
        budgetGiBPerGpu: budget,
        weightsGiBPerGpu: weights,
        overheadGiBPerGpu: overhead,
        kvCacheGiBPerGpu: kvCache,
        weightsFit,
        maxContext: weightsFit ? maxContext : geometry ? 0 : undefined,
    };
}

/** The context a service asks vLLM for: its `maxModelLen`, else the model's own maximum. */
export function requestedContext(model: ResolvedModel, maxModelLen?: number): number | undefined {
    return hasKvGeometry(model) ? (maxModelLen ?? model.maxContext) : undefined;
}

/** GPU memory one instance needs at least, in GiB: weights, one GPU's overhead and the KV cache of `context` tokens, over the usable fraction. */
export function memoryNeedGiB(model: ResolvedModel, opts: ServingOptions = {}, context?: number): number {
    const util = opts.gpuMemoryUtilization ?? defaults.gpuMemoryUtilization;
    const kv = context === undefined ? 0 : kvBytesPerGpu(model, context, 1, opts);
    return (weightBytes(model, opts) / GiB + overheadGiBPerGpu(model, 1, opts) + kv / GiB) / util;
}
