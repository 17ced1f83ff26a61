import { describe, expect, it } from "vitest";
import { findModel } from "../catalog/models";
import { loraBytesPerGpu, loraPlan } from "./lora";

describe("loraPlan", () => {
    it("sorts the adapters by name, whatever order they come in", () => {
        const a = { name: "u-1/a", path: "acme/a", rank: 8 };
        const b = { name: "u-1/b", path: "acme/b", rank: 8 };
        const c = { name: "u-1/c", path: "acme/c", rank: 8 };
        for (const order of [[a, b, c], [c, b, a], [b, a, c], [b, c, a], [a, c, b], [c, a, b]]) {
            expect(loraPlan(order)!.modules.map((m) => m.name)).toEqual(["u-1/a", "u-1/b", "u-1/c"]);
        }
    });

    it("keeps adapters of one name in the order given (a stable sort)", () => {
        const first = { name: "u-1/sql", path: "acme/sql-v1", rank: 8 };
        const second = { name: "u-1/sql", path: "acme/sql-v2", rank: 8 };
        expect(loraPlan([first, second])!.modules.map((m) => m.path)).toEqual(["acme/sql-v1", "acme/sql-v2"]);
        expect(loraPlan([second, first])!.modules.map((m) => m.path)).toEqual(["acme/sql-v2", "acme/sql-v1"]);
    });

    it("takes the smallest of vLLM's rank choices that holds the largest adapter, else the largest choice (512)", () => {
        expect(loraPlan([{ name: "x", path: "p", rank: 20 }])).toEqual({ modules: [{ name: "x", path: "p", rank: 20 }], maxLoras: 1, maxLoraRank: 32, maxCpuLoras: 1 });
        expect(loraPlan([{ name: "x", path: "p", rank: 1024 }])!.maxLoraRank).toBe(512);
        expect(loraPlan([{ name: "x", path: "p", rank: 1024 }], 64)!.maxLoraRank).toBe(64);
        expect(loraPlan([])).toBeUndefined();
    });
});

describe("loraBytesPerGpu of an MoE model: every expert gets gate/up/down buffers", () => {
    it("gpt-oss-20b: 32 experts (19.12B ÷ (3 × 2880 × 2880 × 24)), 573 696 elements per layer and rank on one GPU", () => {
        const gptOss = findModel("openai/gpt-oss-20b")!.spec;
        // q = 64 × 64 = 4096, kv = 8 × 64 = 512. attention: 4 × 2880 + 2 × 4096 + 2 × 512 = 20 736;
        // one expert: 3 × 2880 + 3 × 2880 = 17 280; 20 736 + 32 × 17 280 = 573 696.
        // × 24 layers × rank 16 × 1 slot × 2 bytes = 440 598 528.
        expect(loraBytesPerGpu(gptOss, { maxLoras: 1, maxLoraRank: 16 }, 1, 2)).toBe(440_598_528);
        // TP 2: attention 11 520 + 9216 ÷ 2 = 16 128; expert 8640 + 8640 ÷ 2 = 12 960; 16 128 + 32 × 12 960 = 430 848.
        // × 24 × rank 8 × 2 slots × 2 bytes = 330 891 264.
        expect(loraBytesPerGpu(gptOss, { maxLoras: 2, maxLoraRank: 8 }, 2, 2)).toBe(330_891_264);
    });

    it("Mixtral 8x7B: 8 experts (45.1B ÷ (3 × 4096 × 14 336 × 32)), 468 992 elements per layer and rank on one GPU", () => {
        const mixtral = findModel("mistralai/Mixtral-8x7B-Instruct-v0.1")!.spec;
        // q = 32 × 128 = 4096, kv = 8 × 128 = 1024. attention: 4 × 4096 + 2 × 4096 + 2 × 1024 = 26 624;
        // one expert: 3 × 4096 + 3 × 14 336 = 55 296; 26 624 + 8 × 55 296 = 468 992.
        // × 32 layers × rank 16 × 1 slot × 2 bytes = 480 247 808.
        expect(loraBytesPerGpu(mixtral, { maxLoras: 1, maxLoraRank: 16 }, 1, 2)).toBe(480_247_808);
    });
});
