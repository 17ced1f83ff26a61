import { platformFlags } from "../config/engineFlags";
import { ModelSpec } from "../catalog/models";
import { loraRankChoices } from "../config/rules";

/**
 * LoRA adapters served by a base service's vLLM: the flags derived from its adapter
 * services. vLLM 0.26 (`vllm/engine/arg_utils.py`, `vllm/config/lora.py`,
 * `vllm/entrypoints/openai/cli_args.py`): `--enable-lora`; `--max-loras` (≥ 1) adapters in
 * one batch; `--max-lora-rank` one of `loraRankChoices` (an adapter of a larger rank fails
 * to load); `--max-cpu-loras` (≥ max-loras) adapters kept in CPU memory; `--lora-modules`
 * takes one JSON object `{"name", "path", "base_model_name"}` per value (a JSON list is
 * refused despite the help text).
 */

/** One adapter as its base's pods serve it. */
export interface LoraModule {
    /** The adapter service's access name: vLLM serves the adapter under it, so the gateway routes it without rewriting the body. */
    name: string;
    /** Where vLLM reads the adapter: a Hugging Face id, or a directory in the pod. */
    path: string;
    /** The adapter's LoRA rank. */
    rank: number;
}

/** What vLLM is told about a base's adapters. */
export interface LoraPlan {
    modules: LoraModule[];
    /** Adapters in one batch: all of them, so no request waits for a slot. */
    maxLoras: number;
    maxLoraRank: number;
    /** Adapters kept in CPU memory: all of them, so none is reloaded from disk. */
    maxCpuLoras: number;
}

/**
 * The LoRA plan of a base with adapters; undefined without adapters (no LoRA flags, so a
 * base without adapters runs exactly as before). `maxLoraRank` is the base's own, else the
 * smallest of vLLM's choices that holds the largest adapter.
 */
export function loraPlan(modules: readonly LoraModule[], maxLoraRank?: number): LoraPlan | undefined {
    if (modules.length === 0) {
        return undefined;
    }
    const largest = Math.max(...modules.map((m) => m.rank));
    const rank = maxLoraRank ?? loraRankChoices.find((r) => r >= largest) ?? loraRankChoices[loraRankChoices.length - 1];
    const sorted = [...modules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { modules: sorted, maxLoras: sorted.length, maxLoraRank: rank, maxCpuLoras: sorted.length };
}

/** The vLLM arguments of a LoRA plan, adapters in name order (the same adapters give the same command line). */
export function loraArgs(lora: LoraPlan | undefined, baseAccessName: string): string[] {
    if (!lora) {
        return [];
    }
    const f = platformFlags;
    return [
        f.enableLora.flag,
        f.maxLoras.flag,
        String(lora.maxLoras),
        f.maxLoraRank.flag,
        String(lora.maxLoraRank),
        f.maxCpuLoras.flag,
        String(lora.maxCpuLoras),
        f.loraModules.flag,
        ...lora.modules.map((m) => JSON.stringify({ name: m.name, path: m.path, base_model_name: baseAccessName })),
    ];
}

/** How many adapters one GPU holds at once and their largest rank: what sizes vLLM's LoRA buffers. */
export type LoraSlots = Pick<LoraPlan, "maxLoras" | "maxLoraRank">;

/**
 * GPU memory of vLLM's LoRA buffers on one GPU, in bytes. vLLM 0.26 (`vllm/lora/layers/
 * base_linear.py` `create_lora_weights`, `model_manager.py`) wraps every linear layer of the
 * decoder and gives it, per slice (q, k, v of the fused qkv; gate, up) and per slot
 * (`--max-loras`), an A buffer of rank × input and a B buffer of output × rank, zeroed at start
 * in the model's dtype. Column-parallel layers (qkv, gate_up) split B's output across
 * tensor-parallel GPUs, row-parallel ones (o, down) A's input. Per layer and rank that is
 * 7 × hidden + (2 × q + 2 × kv + 3 × intermediate) ÷ TP elements. MoE experts get the same
 * gate/up/down buffers each (the expert count from the expert parameters); undefined when the
 * model's dimensions are unknown.
 */
export function loraBytesPerGpu(model: Pick<ModelSpec, "layers" | "hiddenSize" | "attentionHeads" | "kvHeads" | "headDim" | "intermediateSize" | "moeIntermediateSize" | "expertParamsBillions">, slots: LoraSlots, tensorParallel: number, elementBytes: number): number | undefined {
    const { layers, hiddenSize: h, attentionHeads, kvHeads, headDim } = model;
    if (!layers || !h || !attentionHeads || !kvHeads || !headDim) {
        return undefined;
    }
    const q = attentionHeads * headDim;
    const kv = kvHeads * headDim;
    const attention = 4 * h + (2 * q + 2 * kv) / tensorParallel;
    const mlp = (intermediate: number) => 3 * h + (3 * intermediate) / tensorParallel;
    let perLayer: number;
    if (model.intermediateSize) {
        perLayer = attention + mlp(model.intermediateSize);
    } else if (model.moeIntermediateSize && model.expertParamsBillions) {
        const experts = Math.round((model.expertParamsBillions * 1e9) / (3 * h * model.moeIntermediateSize * layers));
        perLayer = attention + experts * mlp(model.moeIntermediateSize);
    } else {
        return undefined;
    }
    return layers * perLayer * slots.maxLoraRank * slots.maxLoras * elementBytes;
}
