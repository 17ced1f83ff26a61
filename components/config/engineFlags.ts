/**
 * The vLLM flags the platform sets itself, written once: `vllmCommand` builds the command
 * line from these names, and `engineArgs` may not set any of them (vLLM takes the last
 * value of a repeated flag, so a user's copy would silently win).
 */

/** Each flag the platform sets, with what to configure instead. */
export const platformFlags = {
    model: { flag: "--model", fix: "set the service's model instead" },
    servedModelName: { flag: "--served-model-name", fix: "remove it: the access name is the served name the gateway routes on" },
    host: { flag: "--host", fix: "remove it from engineArgs" },
    port: { flag: "--port", fix: "remove it from engineArgs" },
    tensorParallelSize: { flag: "--tensor-parallel-size", fix: "set the service's gpus instead" },
    maxModelLen: { flag: "--max-model-len", fix: "set the service's maxModelLen instead" },
    dtype: { flag: "--dtype", fix: "set the service's dtype instead" },
    quantization: { flag: "--quantization", fix: "set the service's quantization instead" },
    gpuMemoryUtilization: { flag: "--gpu-memory-utilization", fix: "set the service's gpuMemoryUtilization instead" },
    revision: { flag: "--revision", fix: "set the service's revision instead" },
    enableLora: { flag: "--enable-lora", fix: "add an adapter service with base: <this service> instead" },
    loraModules: { flag: "--lora-modules", fix: "add an adapter service with base: <this service> instead" },
    maxLoras: { flag: "--max-loras", fix: "remove it: the platform sizes it from the adapter services" },
    maxLoraRank: { flag: "--max-lora-rank", fix: "set the service's maxLoraRank instead" },
    maxCpuLoras: { flag: "--max-cpu-loras", fix: "remove it: the platform sizes it from the adapter services" },
} as const;

/**
 * Short aliases vLLM's parser accepts for the flags above (vLLM's `EngineArgs.add_cli_args`:
 * `-tp` for `--tensor-parallel-size`, `-q` for `--quantization`).
 */
const aliases: Readonly<Record<string, string>> = {
    "-tp": platformFlags.tensorParallelSize.flag,
    "-q": platformFlags.quantization.flag,
};

/**
 * The long flag an argument names, in the spelling vLLM's parser reads it: the part before
 * `=`, with `_` read as `-` (vLLM 0.26's `FlexibleArgumentParser.parse_args` rewrites the
 * key of every `--` argument that way), short aliases expanded. Undefined when the argument
 * is not a flag.
 */
export function canonicalFlag(arg: string): string | undefined {
    const name = arg.split("=")[0];
    if (Object.hasOwn(aliases, name)) {
        return aliases[name];
    }
    if (!name.startsWith("--")) {
        return undefined;
    }
    return `--${name.slice(2).replace(/_/g, "-")}`;
}

/**
 * The platform flag an `engineArgs` item sets, or undefined when it sets none. vLLM's parser
 * keeps argparse's `allow_abbrev`, so a unique prefix (`--max-model 4096`, `--served`) sets
 * the whole flag: any prefix of a platform flag is refused (an ambiguous one vLLM would
 * refuse at start anyway).
 */
export function reservedEngineFlag(arg: string): { flag: string; fix: string } | undefined {
    const flag = canonicalFlag(arg);
    if (flag === undefined || flag.length <= 2) {
        return undefined;
    }
    const all = Object.values(platformFlags);
    return all.find((p) => p.flag === flag) ?? all.find((p) => p.flag.startsWith(flag));
}

/**
 * Flags refused for what they would do, though the platform does not set them. `--api-key`
 * (vLLM's own key, `AuthenticationMiddleware`) would answer 401 to every gateway request,
 * which carries no such key, and it guards only paths under `/v1`: `/invocations`,
 * `/pooling`, `/score`, `/tokenize`… stay open. The NetworkPolicy admitting only the gateway
 * is what keeps callers without a key out.
 */
export const refusedFlags = {
    apiKey: {
        flag: "--api-key",
        /** The shortest abbreviation argparse resolves to it (`--api-` is shared with `--api-server-count`). */
        shortestPrefix: "--api-k",
        problem: "would make vLLM refuse every request from the gateway, and guards only /v1 paths anyway",
        fix: "remove it: the gateway checks the keys, and the platform's NetworkPolicy admits only the gateway to vLLM",
    },
} as const;

/** The refused flag an `engineArgs` item sets (by any spelling vLLM's parser accepts), or undefined. */
export function refusedEngineFlag(arg: string): { flag: string; problem: string; fix: string } | undefined {
    const flag = canonicalFlag(arg);
    if (flag === undefined) {
        return undefined;
    }
    // A refused flag's abbreviations start with its shortest prefix, so "--" alone is none of them.
    const all = Object.values(refusedFlags);
    return all.find((r) => r.flag.startsWith(flag) && flag.startsWith(r.shortestPrefix));
}
