import { spawnSync } from "node:child_process";
import * as path from "node:path";

/**
 * vLLM's own argument parser (the pinned release, and vLLM-Omni's for `--omni`), run by
 * scripts/vllm-args.sh on tools/vllm-args/check.py. The first call on a machine installs it
 * (about a minute; `scripts/test.sh` does that before the unit tier). No fallback: when it
 * cannot run, the call throws and the test fails.
 */

const script = path.resolve(__dirname, "../../scripts/vllm-args.sh");

/** What vLLM made of one `vllm serve` command line. */
export type VllmParse =
    | { ok: true; /** argparse's namespace (dest → value), `model` set from the positional as `vllm serve` does. */ namespace: Record<string, any> }
    | { ok: false; /** The parser's error line, or the exception vLLM's pre-load checks raised. */ error: string };

/** Lists vLLM reads from its own source: what `--quantization` may be once ModelConfig checks it. */
export interface VllmFacts {
    /** vllm/model_executor/layers/quantization/__init__.py QUANTIZATION_METHODS. */
    quantizationMethods: string[];
    /** DEPRECATED_QUANTIZATION_METHODS: refused unless `--allow-deprecated-quantization`. */
    deprecatedQuantizationMethods: string[];
}

/** Runs the parser on several command lines (each what follows `vllm serve`) in one Python process. */
function run(commands: readonly (readonly string[])[]): { results: VllmParse[]; facts: VllmFacts } {
    const child = spawnSync("bash", [script], { input: JSON.stringify(commands), encoding: "utf8", timeout: 600_000, maxBuffer: 256 * 1024 * 1024 });
    if (child.status !== 0) {
        throw new Error(`vLLM's parser could not run (scripts/vllm-args.sh exited ${child.status ?? child.signal}):\n${child.stderr.slice(-4000)}`);
    }
    return JSON.parse(child.stdout);
}

/** Parses several command lines (each what follows `vllm serve`) in one Python process. */
export function vllmParseAll(commands: readonly (readonly string[])[]): VllmParse[] {
    return run(commands).results;
}

/** vLLM's own lists of what it accepts after parsing. */
export function vllmFacts(): VllmFacts {
    return run([]).facts;
}

/** Parses one command line (what follows `vllm serve`). */
export function vllmParse(args: readonly string[]): VllmParse {
    return vllmParseAll([args])[0];
}

/** The namespace of a command vLLM accepted; throws with vLLM's error otherwise. */
export function parsedNamespace(result: VllmParse): Record<string, any> {
    if (!result.ok) {
        throw new Error(`vLLM refused the command: ${result.error}`);
    }
    return result.namespace;
}
