import { beforeEach, describe, expect, it, vi } from "vitest";
import { canonicalFlag, platformFlags, refusedEngineFlag, reservedEngineFlag } from "./engineFlags";

describe("reserved engine flags: every spelling vLLM 0.26's parser accepts", () => {
    it.each([
        ["-tp", "--tensor-parallel-size"],
        ["-tp=4", "--tensor-parallel-size"],
        ["--tensor_parallel_size=8", "--tensor-parallel-size"],
        ["--max_model_len=16384", "--max-model-len"],
        ["--max-model", "--max-model-len"],
        ["--served_model_name", "--served-model-name"],
        ["--served", "--served-model-name"],
        ["--dtype=float16", "--dtype"],
        ["-q", "--quantization"],
        ["--quant", "--quantization"],
        ["--gpu_memory_utilization", "--gpu-memory-utilization"],
        ["--model", "--model"],
        ["--host=::", "--host"],
        ["--port", "--port"],
    ])("%s sets %s", (arg, flag) => {
        expect(reservedEngineFlag(arg)?.flag).toBe(flag);
    });

    it.each(["--enable-prefix-caching", "--max-num-seqs=64", "--kv-cache-dtype", "fp8", "-O3", "--", "--x", "--max-num-batched-tokens"])("%s is the user's", (arg) => {
        expect(reservedEngineFlag(arg)).toBeUndefined();
    });

    it("reads underscores as dashes only in the key, not the value", () => {
        expect(canonicalFlag("--served_model_name=a_b")).toBe("--served-model-name");
        expect(canonicalFlag("value_with_underscores")).toBeUndefined();
        // Names of built-in object properties are plain values, not aliases.
        expect(canonicalFlag("constructor")).toBeUndefined();
        expect(canonicalFlag("toString=1")).toBeUndefined();
    });

    it("names a fix for every platform flag", () => {
        for (const { flag, fix } of Object.values(platformFlags)) {
            expect(flag).toMatch(/^--[a-z-]+$/);
            expect(fix.length).toBeGreaterThan(10);
        }
    });

    it.each(["--api-key", "--api_key=sk-x", "--api-k"])("refuses %s: vLLM's own key would lock the gateway out", (arg) => {
        expect(refusedEngineFlag(arg)?.flag).toBe("--api-key");
    });

    it.each(["--api-server-count", "--api-", "--", "--model"])("leaves %s to the other checks", (arg) => {
        expect(refusedEngineFlag(arg)).toBeUndefined();
    });
});

describe("engine flags: vLLM's short aliases, read from the table as loaded", () => {
    // The alias table is a module constant: imported afresh, a changed table shows here,
    // also to mutation testing (docs/mutation.md, "module constants").
    let fresh: typeof import("./engineFlags");

    beforeEach(async () => {
        vi.resetModules();
        fresh = await import("./engineFlags");
    });

    it.each([
        ["-tp", "tensorParallelSize"],
        ["-tp=2", "tensorParallelSize"],
        ["-q", "quantization"],
        ["-q=awq", "quantization"],
    ] as const)("%s sets the platform's %s", (arg, key) => {
        expect(fresh.canonicalFlag(arg)).toBe(fresh.platformFlags[key].flag);
        expect(fresh.reservedEngineFlag(arg)).toEqual(fresh.platformFlags[key]);
    });

    it("knows no other short flag", () => {
        expect(fresh.canonicalFlag("-t")).toBeUndefined();
        expect(fresh.reservedEngineFlag("-O3")).toBeUndefined();
    });
});
