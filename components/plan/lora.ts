import { platformFlags } from "../config/engineFlags";
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
