import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { images } from "../components/versions";
import { projectRoot } from "./helpers/platform";
import { parsedNamespace, VllmFacts, vllmFacts, VllmParse, vllmParseAll } from "./helpers/vllm";

/**
 * The harness itself: it runs the release the images pin, and vLLM's parser really refuses
 * what it should (so a passing check elsewhere means vLLM accepted the command).
 */

const pins = readFileSync(path.join(projectRoot, "tools/vllm-args/vllm-source.txt"), "utf8");
const pinned = (name: string) => pins.match(new RegExp(`^${name}==(\\S+) --hash=sha256:[0-9a-f]{64}$`, "m"))?.[1];

describe("the pinned parser is the images' vLLM", () => {
    it.each([
        ["vllm", images.vllm],
        ["vllm-omni", images.vllmOmni],
    ])("%s matches %s", (name, image) => {
        expect(`v${pinned(name)}`).toBe(image.split(":")[1]);
    });
});

const commands = {
    plain: ["Qwen/Qwen3-8B", "--tensor-parallel-size", "2"],
    unknown: ["Qwen/Qwen3-8B", "--tensor-paralel-size", "2"],
    badChoice: ["Qwen/Qwen3-8B", "--dtype", "float8"],
    omni: ["Qwen/Qwen-Image", "--omni", "--tensor-parallel-size", "2"],
    omniUnknown: ["Qwen/Qwen-Image", "--omni", "--no-such-flag"],
    omniWithoutOmni: ["Qwen/Qwen-Image", "--vae-use-slicing"],
};
let results: Record<keyof typeof commands, VllmParse>;

beforeAll(() => {
    const keys = Object.keys(commands) as (keyof typeof commands)[];
    const parsed = vllmParseAll(keys.map((k) => commands[k]));
    results = Object.fromEntries(keys.map((k, i) => [k, parsed[i]])) as typeof results;
}, 600_000);

describe("vLLM 0.26.0's own parser", () => {
    it("reads the positional model and typed values", () => {
        const ns = parsedNamespace(results.plain);
        expect(ns.model).toBe("Qwen/Qwen3-8B");
        expect(ns.tensor_parallel_size).toBe(2);
        expect(ns.omni).toBeUndefined();
    });

    it.each([
        ["unknown", "vllm: error: unrecognized arguments: --tensor-paralel-size 2"],
        ["badChoice", "vllm serve: error: argument --dtype: invalid choice: 'float8'"],
        ["omniUnknown", "vllm: error: unrecognized arguments: --no-such-flag"],
        ["omniWithoutOmni", "vllm: error: unrecognized arguments: --vae-use-slicing"],
    ] as const)("refuses %s: %s", (key, error) => {
        const result = results[key];
        expect(result.ok).toBe(false);
        expect(result.ok ? "" : result.error).toMatch(new RegExp(`^${error.replace(/[-.*+?^${}()|[\]\\]/g, "\\$&")}`));
    });

    it("parses `--omni` with vLLM-Omni's parser, which adds its own flags", () => {
        const ns = parsedNamespace(results.omni);
        expect(ns.omni).toBe(true);
        expect(ns.tensor_parallel_size).toBe(2);
        expect(ns).toHaveProperty("vae_use_slicing");
    });
});

describe("vLLM 0.26.0's quantization methods, read from its source", () => {
    let facts: VllmFacts;
    beforeAll(() => {
        facts = vllmFacts();
    }, 600_000);

    it("has AWQ, GPTQ, FP8 and MXFP4, and no GGUF", () => {
        expect(facts.quantizationMethods).toEqual(expect.arrayContaining(["awq", "gptq", "fp8", "mxfp4", "compressed-tensors", "bitsandbytes"]));
        expect(facts.quantizationMethods).not.toContain("gguf");
        expect(facts.deprecatedQuantizationMethods).toEqual(["fbgemm_fp8", "fp_quant"]);
    });
});
