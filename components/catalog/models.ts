import catalog from "./data/models.json";

/**
 * The model catalog: well-known open models with the facts the planner sizes them by
 * (`data/models.json`, each figure with its source), and the lookup of a model id in it.
 */

/** One well-known open model: what `catalog/data/models.json` holds. */
export interface ModelSpec {
    /** Hugging Face repo id, e.g. `Qwen/Qwen3-8B`. */
    id: string;
    /** Other ids that name the same weights and shapes (base and instruct, renamed repos). */
    aliases?: string[];
    /** What the model serves: chat, vision, embedding or image-generation. */
    task: string;
    /** Total parameters, in billions (all experts of a mixture of experts). */
    paramsBillions: number;
    /** num_hidden_layers. */
    layers?: number;
    /** num_attention_heads: tensor parallelism must divide it (vLLM's verify_with_parallel_config). */
    attentionHeads?: number;
    /** num_key_value_heads. */
    kvHeads?: number;
    /** The dense MLP's intermediate_size (split by tensor parallelism); undefined for MoE models. */
    intermediateSize?: number;
    /** One expert's intermediate size for MoE models (moe_intermediate_size, or intermediate_size in Mixtral/gpt-oss configs). */
    moeIntermediateSize?: number;
    /** Parameters of the MoE experts, in billions: where the checkpoint quantizes only those (gpt-oss: MXFP4 experts, bfloat16 rest), and for the expert count of LoRA buffers. */
    expertParamsBillions?: number;
    /** head_dim (hidden_size ÷ num_attention_heads when config.json has no head_dim). */
    headDim?: number;
    /** max_position_embeddings: what vLLM serves when `--max-model-len` is not given. */
    maxContext?: number;
    /** The checkpoint's weights dtype (torch_dtype), or `mxfp4` for OpenAI's MXFP4 MoE weights. */
    dtype: string;
    hiddenSize?: number;
    vocabSize?: number;
    /** True when the output projection shares the input embedding's weights. */
    tiedEmbeddings?: boolean;
    /** Tokens a sliding-window layer keeps in its KV cache. */
    slidingWindow?: number;
    /** How many layers use the sliding window (the rest attend to the whole context). */
    slidingWindowLayers?: number;
    /** Where the figures come from (model card, config.json). */
    source: string[];
    notes?: string;
}

export const modelCatalog: readonly ModelSpec[] = catalog.models as ModelSpec[];

const byId = new Map<string, ModelSpec>();
const byName = new Map<string, ModelSpec>();
for (const m of modelCatalog) {
    for (const id of [m.id, ...(m.aliases ?? [])]) {
        byId.set(id.toLowerCase(), m);
        byName.set(id.toLowerCase().split("/").pop() ?? "", m);
    }
}

/** Suffixes quantized re-uploads add to a model's name, and the vLLM quantization each implies. */
const quantizedSuffixes: ReadonlyArray<[RegExp, string | undefined]> = [
    [/[-_.](awq)(?=$|[-_.])/i, "awq"],
    [/[-_.](gptq)(?=$|[-_.])/i, "gptq"],
    [/[-_.](bnb|bitsandbytes)(?=$|[-_.])/i, "bitsandbytes"],
    [/[-_.](w4a16|w8a8|w8a16|quantized\.w\d+a\d+)(?=$|[-_.])/i, "compressed-tensors"],
    [/[-_.](fp8)(?=$|[-_.])/i, "fp8"],
];

/**
 * The catalog entry for a model id: exact (case-insensitive) id or alias, then the same
 * name under another owner, then the name without a quantized re-upload's suffix
 * (`hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4` → Llama 3.1 8B, AWQ).
 */
export function findModel(modelId: string): { spec: ModelSpec; impliedQuantization?: string } | undefined {
    const id = modelId.toLowerCase().replace(/\/+$/, "");
    const exact = byId.get(id) ?? byName.get(id.split("/").pop() ?? "");
    if (exact) {
        return { spec: exact };
    }
    const name = id.split("/").pop() ?? "";
    const implied = quantizedSuffixes.find(([re]) => re.test(name))?.[1];
    if (!implied) {
        return undefined;
    }
    const base = name.replace(/[-_.](awq|gptq|bnb|bitsandbytes|w4a16|w8a8|w8a16|fp8|gguf|int4|int8|dynamic|4bit|8bit|quantized(\.w\d+a\d+)?)(?=$|[-_.]).*$/i, "");
    const spec = byName.get(base);
    return spec ? { spec, impliedQuantization: implied } : undefined;
}
