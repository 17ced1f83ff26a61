import { describe, expect, it } from "vitest";
import { ModelSourceKind } from "../config/modelSource";
import { ModelCacheKind } from "../config/rules";
import { startupBudget } from "./startupBudget";

/** 10 GiB = 10240 MiB: at 100 MiB/s (Hugging Face) 102.4 s, at 125 (root volume) 81.92 s, 250 (shared) 40.96 s, 500 (S3) 20.48 s, 1000 (NVMe) 10.24 s. */
const gib = 10;

function times(source: ModelSourceKind, cache: ModelCacheKind, weightsGiB = gib): [number, number] {
    const b = startupBudget(weightsGiB, source, cache);
    return [b.downloadSeconds, b.loadSeconds];
}

describe("startupBudget: download and load seconds per source and cache", () => {
    it("an unknown size gives the fallback budget, marked as such", () => {
        expect(startupBudget(undefined, ModelSourceKind.HuggingFace, ModelCacheKind.EmptyDir)).toEqual({
            downloadSeconds: 0,
            loadSeconds: 0,
            warmupSeconds: 180,
            budgetSeconds: 3600,
            sizeUnknown: true,
            preloadBudgetSeconds: 3600,
        });
    });

    it("a volume or a path in the pod is read at the shared file system's rate, never downloaded", () => {
        expect(times(ModelSourceKind.Volume, ModelCacheKind.EmptyDir)).toEqual([0, 41]);
        expect(times(ModelSourceKind.Path, ModelCacheKind.EmptyDir)).toEqual([0, 41]);
    });

    it("a shared cache is read at the shared rate and never downloads at start", () => {
        expect(times(ModelSourceKind.HuggingFace, ModelCacheKind.Shared)).toEqual([0, 41]);
        expect(times(ModelSourceKind.S3, ModelCacheKind.Shared)).toEqual([0, 41]);
    });

    it("a node-local cache is costed cold: downloaded at the slower of source and NVMe, loaded from NVMe", () => {
        expect(times(ModelSourceKind.HuggingFace, ModelCacheKind.NodeLocal)).toEqual([102, 10]);
        expect(times(ModelSourceKind.S3, ModelCacheKind.NodeLocal)).toEqual([20, 10]);
        expect(times(ModelSourceKind.Path, ModelCacheKind.NodeLocal)).toEqual([0, 41]);
    });

    it("without a cache, S3 streams straight onto the GPUs and Hugging Face goes through the root volume", () => {
        expect(times(ModelSourceKind.S3, ModelCacheKind.EmptyDir)).toEqual([0, 20]);
        expect(times(ModelSourceKind.HuggingFace, ModelCacheKind.EmptyDir)).toEqual([102, 82]);
    });
});

describe("startupBudget: the probe budget and the preload budget", () => {
    it("allows twice the estimate, rounded up to 10 s, once it is above the 1800 s floor", () => {
        // 200 GiB from Hugging Face without a cache: 2048 s download + 1638.4 s load + 180 s warm-up = 3866.4 s.
        expect(startupBudget(200, ModelSourceKind.HuggingFace, ModelCacheKind.EmptyDir)).toEqual({
            downloadSeconds: 2048,
            loadSeconds: 1638,
            warmupSeconds: 180,
            budgetSeconds: 7740,
            sizeUnknown: false,
            preloadBudgetSeconds: 1800,
        });
        expect(startupBudget(gib, ModelSourceKind.HuggingFace, ModelCacheKind.EmptyDir).budgetSeconds).toBe(1800);
    });

    it("gives a shared cache's preload Job twice its download, only for sources that download", () => {
        // 100 GiB from Hugging Face: 1024 s at 100 MiB/s; 300 GiB from S3: 1228.8 s at the shared file system's 250 MiB/s (S3 is faster).
        expect(startupBudget(100, ModelSourceKind.HuggingFace, ModelCacheKind.Shared).preloadBudgetSeconds).toBe(2048);
        expect(startupBudget(300, ModelSourceKind.S3, ModelCacheKind.Shared).preloadBudgetSeconds).toBe(2458);
        expect(startupBudget(100, ModelSourceKind.Path, ModelCacheKind.Shared).preloadBudgetSeconds).toBe(1800);
        expect(startupBudget(100, ModelSourceKind.HuggingFace, ModelCacheKind.NodeLocal).preloadBudgetSeconds).toBe(1800);
    });
});
