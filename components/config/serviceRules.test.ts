import { beforeEach, describe, expect, it, vi } from "vitest";

/**
 * A service's settings beyond their leaf types, as the parser and ModelService's args both
 * check them: each case gets exactly its messages. The config layer is imported afresh per
 * test, so its module constants are evaluated by the test that reads them (docs/mutation.md).
 */
let checkServiceSettings: typeof import("./serviceRules").checkServiceSettings;
let IssueList: typeof import("./issues").IssueList;

beforeEach(async () => {
    vi.resetModules();
    ({ checkServiceSettings } = await import("./serviceRules"));
    ({ IssueList } = await import("./issues"));
});

type Settings = Parameters<typeof checkServiceSettings>[2];

/** The messages `settings` draws at `services[0]`. */
function messagesOf(settings: Settings): string[] {
    const issues = new IssueList();
    checkServiceSettings(issues, "services[0]", settings);
    return issues.issues.map((i) => i.message);
}

const gguf = (model: string): string =>
    `services[0].model: looks like a GGUF checkpoint, which the pinned vLLM image (components/versions.ts) cannot load, got ${JSON.stringify(model)}. ` +
    "Convert the checkpoint to safetensors, or serve an AWQ or GPTQ re-upload of the model with quantization: awq (or gptq).";

describe("service settings: a GGUF checkpoint is refused by its name", () => {
    it.each(["gguf-models/Qwen3-8B", "TheBloke/Qwen3-8B-GGUF", "org/Qwen3-8B-GGUF-Q4", "org/qwen3.gguf.q4", "/opt/models/qwen3_gguf/"])("%s looks like GGUF", (model) => {
        expect(messagesOf({ model })).toEqual([gguf(model)]);
    });

    it.each(["Qwen/Qwen3-8B", "org/ggufx", "org/Qwen3-8Bgguf", "org/xgguf-8b"])("%s does not: 'gguf' is not a word of it", (model) => {
        expect(messagesOf({ model })).toEqual([]);
    });

    it("checks only a model that is a string", () => {
        expect(messagesOf({ model: ["gguf"] })).toEqual([]);
    });
});

describe("service settings: engineArgs may not set what the platform sets or refuses", () => {
    it("names each argument by its index, and redacts a refused one", () => {
        expect(messagesOf({ engineArgs: ["--enable-prefix-caching", "--max_model_len=4096", "--api-key=sk-1"] })).toEqual([
            'services[0].engineArgs[1]: sets --max-model-len, which the platform sets itself, got "--max_model_len=4096". Set the service\'s maxModelLen instead.',
            "services[0].engineArgs[2]: sets --api-key, which would make vLLM refuse every request from the gateway, and guards only /v1 paths anyway, got [redacted]. " +
                "Remove it: the gateway checks the keys, and the platform's NetworkPolicy admits only the gateway to vLLM.",
        ]);
    });

    it("has nothing to say without engineArgs", () => {
        expect(messagesOf({})).toEqual([]);
    });
});

describe("service settings: credentials do not go in plain env", () => {
    it("refuses a credential-looking key, never echoing its value", () => {
        expect(messagesOf({ env: { HF_TOKEN: "hf_x", LOG_LEVEL: "debug" } })).toEqual([
            "services[0].env.HF_TOKEN: looks like a credential in a plain environment variable, got [redacted]. " +
                "Credentials belong in Secrets: set the Hugging Face token with `pulumi config set --secret huggingFaceToken …`, or mount your own Secret.",
        ]);
    });
});

describe("service settings: options an image-generation service does not read", () => {
    it("refuses maxModelLen and gpuMemoryUtilization there", () => {
        expect(messagesOf({ task: "image-generation", maxModelLen: 4096, gpuMemoryUtilization: 0.8 })).toEqual([
            "services[0].maxModelLen: does not apply to image-generation services, got 4096. Remove maxModelLen from this service.",
            "services[0].gpuMemoryUtilization: does not apply to image-generation services: vLLM-Omni's diffusion stage does not read it, got 0.8. " +
                "Remove gpuMemoryUtilization from this service.",
        ]);
    });

    it("refuses a quantization vLLM-Omni cannot apply to a diffusion pipeline, and takes one it can", () => {
        expect(messagesOf({ task: "image-generation", quantization: "awq" })).toEqual([
            'services[0].quantization: is not a quantization vLLM-Omni can apply to a diffusion pipeline, got "awq". Use one of "fp8", "mxfp4", "bitsandbytes", or leave it out.',
        ]);
        expect(messagesOf({ task: "image-generation", quantization: "fp8" })).toEqual([]);
    });

    it.each([undefined, "chat", "embedding"])("leaves them to a %s service", (task) => {
        expect(messagesOf({ task, maxModelLen: 4096, gpuMemoryUtilization: 0.8, quantization: "awq" })).toEqual([]);
    });
});
