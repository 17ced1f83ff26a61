import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { enumValues, loadPlatform, Quantization, reservedEngineFlag, unsupportedQuantizations, ServiceSpec, ServiceTask, vllmCommand, vllmPort, WeightsDtype } from "../components";
import { images } from "../components/versions";
import { projectRoot, stackConfig } from "./helpers/platform";
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

    it("offers only methods vLLM has and does not deprecate, and refuses those it lacks", () => {
        for (const q of enumValues(Quantization)) {
            expect(facts.quantizationMethods, q).toContain(q);
            expect(facts.deprecatedQuantizationMethods, q).not.toContain(q);
        }
        for (const q of Object.keys(unsupportedQuantizations)) {
            expect(facts.quantizationMethods, q).not.toContain(q);
        }
    });
});

/** A chat service's command: the base the other cases change one thing of. */
const chat: ServiceSpec = { name: "test", accessName: "u-1/test", model: "Qwen/Qwen3-8B", task: "chat", gpus: 2, maxModelLen: 8192, engineArgs: [], dtype: "auto", gpuMemoryUtilization: 0.85 };

/** What the platform sets, as vLLM's namespace should hold it. */
function platformValues(s: ServiceSpec): Record<string, unknown> {
    return {
        model: s.model,
        served_model_name: [s.accessName],
        host: "0.0.0.0",
        port: vllmPort,
        tensor_parallel_size: s.gpus,
        max_model_len: s.maxModelLen ?? null,
        dtype: s.dtype,
        quantization: s.quantization ?? null,
        ...(s.task === ServiceTask.ImageGeneration ? { omni: true } : { gpu_memory_utilization: s.gpuMemoryUtilization }),
    };
}

const generated: [string, ServiceSpec][] = [
    ["chat", chat],
    ["vision", { ...chat, task: "vision", model: "Qwen/Qwen2.5-VL-7B-Instruct" }],
    ["embedding", { ...chat, task: "embedding", model: "BAAI/bge-m3", gpus: 1, maxModelLen: undefined }],
    ["image generation on 2 GPUs, bfloat16, fp8", { ...chat, task: "image-generation", model: "Qwen/Qwen-Image", maxModelLen: undefined, dtype: "bfloat16", quantization: "fp8" }],
    ...enumValues(Quantization).map((q): [string, ServiceSpec] => [`quantization ${q}`, { ...chat, quantization: q }]),
    ...enumValues(WeightsDtype).map((d): [string, ServiceSpec] => [`dtype ${d}`, { ...chat, dtype: d }]),
    ["user engine args after the platform's", { ...chat, engineArgs: ["--enable-prefix-caching", "--max-num-seqs=64", "--kv-cache-dtype", "fp8"] }],
];

/** Every spelling of a platform flag vLLM's parser accepts, with the namespace field it sets and the value it should hold. */
const spellings: [string[], string, unknown][] = [
    [["-tp", "4"], "tensor_parallel_size", 4],
    [["-tp=4"], "tensor_parallel_size", 4],
    [["--tensor_parallel_size=8"], "tensor_parallel_size", 8],
    [["--tensor-parallel", "8"], "tensor_parallel_size", 8],
    [["--max_model_len=16384"], "max_model_len", 16384],
    [["--max-model", "4096"], "max_model_len", 4096],
    [["--served_model_name", "other"], "served_model_name", ["other"]],
    [["--served", "other"], "served_model_name", ["other"]],
    [["--dtype=float16"], "dtype", "float16"],
    [["-q", "awq"], "quantization", "awq"],
    [["--gpu_memory_utilization", "0.5"], "gpu_memory_utilization", 0.5],
    [["--gpu-mem", "0.5"], "gpu_memory_utilization", 0.5],
    [["--host=::"], "host", "::"],
    [["--port", "9000"], "port", 9000],
];

let generatedResults: VllmParse[];
let spellingResults: VllmParse[];
let ambiguous: VllmParse;
let shipped: { name: string; args: string[]; result?: VllmParse }[];

beforeAll(() => {
    shipped = ["dev", "local"].flatMap((stack) => loadPlatform(stackConfig(stack), { stack }).services.map((s) => ({ name: `${stack}/${s.name}`, args: vllmCommand(s).args })));
    const all = vllmParseAll([
        ...generated.map(([, s]) => vllmCommand(s).args),
        ...spellings.map(([arg]) => [...vllmCommand(chat).args, ...arg]),
        [...vllmCommand(chat).args, "--quant", "awq"],
        ...shipped.map((s) => s.args),
    ]);
    generatedResults = all.slice(0, generated.length);
    spellingResults = all.slice(generated.length, generated.length + spellings.length);
    ambiguous = all[generated.length + spellings.length];
    shipped.forEach((s, i) => (s.result = all[generated.length + spellings.length + 1 + i]));
}, 600_000);

describe("every command line vllmCommand generates parses with vLLM's own parser", () => {
    it.each(generated.map(([name, s], i) => [name, s, i] as const))("%s", (_, service, i) => {
        expect(parsedNamespace(generatedResults[i])).toMatchObject(platformValues(service));
    });

    it("passes image generation its GPUs and dtype through vLLM-Omni's parser, and no memory fraction", () => {
        const i = generated.findIndex(([name]) => name.startsWith("image generation"));
        expect(vllmCommand(generated[i][1]).args).not.toContain("--gpu-memory-utilization");
        expect(parsedNamespace(generatedResults[i])).toMatchObject({ omni: true, tensor_parallel_size: 2, dtype: "bfloat16", quantization: "fp8" });
    });

    it("parses every service of the shipped stacks", () => {
        expect(shipped.length).toBeGreaterThan(3);
        for (const s of shipped) {
            expect(s.result?.ok, `${s.name}: ${s.result && !s.result.ok ? s.result.error : ""}`).toBe(true);
        }
    });
});

describe("reserved engine flags: each spelling really sets the platform's flag in vLLM's parser, and engineArgs refuse it", () => {
    it.each(spellings.map(([arg, dest, value], i) => [arg.join(" "), arg, dest, value, i] as const))("%s", (_, arg, dest, value, i) => {
        // Appended after the platform's flags, vLLM keeps the user's value: the platform's is lost.
        expect(parsedNamespace(spellingResults[i])[dest]).toEqual(value);
        expect(reservedEngineFlag(arg[0])).toBeDefined();
    });

    it("an ambiguous prefix (--quant: --quantization or --quantization-config) is refused by vLLM itself", () => {
        expect(ambiguous.ok ? "" : ambiguous.error).toBe("vllm serve: error: ambiguous option: --quant could match --quantization, --quantization-config");
        expect(reservedEngineFlag("--quant")?.flag).toBe("--quantization");
    });
});
