import { beforeAll, describe, expect, it } from "vitest";
import { loadPlatform, vllmCommand } from "../components";
import { parsedNamespace, VllmParse, vllmParseAll } from "./helpers/vllm";

/**
 * The LoRA flags the planner derives from adapter services, through the pinned vLLM's own
 * argument parser (tools/vllm-args): what the base's pods would really be started with.
 */

const revision = "0123456789abcdef0123456789abcdef01234567";

function baseArgs(adapters: { name: string; adapter: string; rank: number; revision?: string }[], maxLoraRank?: number): string[] {
    const plan = loadPlatform(
        {
            owner: "u-1",
            cluster: { kind: "kubeconfig" },
            nodeGroups: [{ name: "gpu", instanceType: "g6e.xlarge", minSize: 0, maxSize: 2, modelCache: { kind: "node-local", hostPath: "/var/cache/models" } }],
            services: [{ name: "chat", model: "Qwen/Qwen3-8B", revision, instances: 1, maxModelLen: 8192, maxLoraRank }, ...adapters.map((a) => ({ ...a, base: "chat" }))],
            modelAccess: { s3: { mode: "secret", secretName: "aws" } },
        },
        { stack: "local" },
    );
    const chat = plan.services[0];
    return vllmCommand({ ...chat, cacheKind: chat.modelCache.kind }).args;
}

const commands = {
    twoAdapters: baseArgs([
        { name: "support", adapter: "acme/qwen3-8b-support-lora", rank: 16, revision },
        { name: "sql", adapter: "s3://acme-adapters/sql-v3", rank: 64 },
    ]),
    oneAdapter: baseArgs([{ name: "support", adapter: "acme/qwen3-8b-support-lora", rank: 8 }]),
    explicitLimit: baseArgs([{ name: "support", adapter: "acme/qwen3-8b-support-lora", rank: 8 }], 320),
    // What the planner refuses, vLLM refuses too: a --max-lora-rank outside its choices.
    rankOffChoices: ["Qwen/Qwen3-8B", "--enable-lora", "--max-lora-rank", "48"],
};
let results: Record<keyof typeof commands, VllmParse>;

beforeAll(() => {
    const keys = Object.keys(commands) as (keyof typeof commands)[];
    const parsed = vllmParseAll(keys.map((k) => commands[k]));
    results = Object.fromEntries(keys.map((k, i) => [k, parsed[i]])) as typeof results;
}, 600_000);

describe("vLLM 0.26's parser accepts the generated LoRA flags", () => {
    it("a base with two adapters: LoRA on, slots and rank sized to them, each adapter under its access name", () => {
        const ns = parsedNamespace(results.twoAdapters);
        expect(ns).toMatchObject({ model: "Qwen/Qwen3-8B", revision, served_model_name: ["u-1/chat"], enable_lora: true, max_loras: 2, max_lora_rank: 64, max_cpu_loras: 2 });
        // The harness hands vLLM's LoRAModulePath dataclasses back as their repr.
        const modules = (ns.lora_modules as string[]).map((m) => /^LoRAModulePath\(name='([^']*)', path='([^']*)', base_model_name='([^']*)'/.exec(m)?.slice(1));
        expect(modules).toEqual([
            ["u-1/sql", "/models/s3/acme-adapters/sql-v3", "u-1/chat"],
            ["u-1/support", `/models/hub/models--acme--qwen3-8b-support-lora/snapshots/${revision}`, "u-1/chat"],
        ]);
    });

    it("the smallest rank choice that holds the adapters, or the base's own limit", () => {
        expect(parsedNamespace(results.oneAdapter)).toMatchObject({ max_loras: 1, max_lora_rank: 8, max_cpu_loras: 1 });
        expect(parsedNamespace(results.explicitLimit).max_lora_rank).toBe(320);
    });

    it("refuses a rank outside its choices (the rule the config applies to maxLoraRank)", () => {
        expect(results.rankOffChoices.ok).toBe(false);
        expect(!results.rankOffChoices.ok && results.rankOffChoices.error).toMatch(/max-lora-rank.*invalid choice: 48/);
    });
});
