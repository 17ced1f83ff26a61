import { describe, expect, it } from "vitest";
import { ModelSource, ModelSourceKind } from "../config/modelSource";
import { ModelCacheKind } from "../config/rules";
import { cacheEnv, fetchCommand, FetchItem, fetchItem, fetchScript, modelCacheMountPath, modelVolumesPath, preloadJobName, servedPath, waitCommand } from "./modelCache";
import { downloadProgramLines } from "../../test/helpers/expectedContracts";

const hf: ModelSource = { kind: ModelSourceKind.HuggingFace, uri: "Qwen/Qwen3-8B", repo: "Qwen/Qwen3-8B" };
const s3: ModelSource = { kind: ModelSourceKind.S3, uri: "s3://acme-models/qwen3-8b", bucket: "acme-models", prefix: "qwen3-8b" };
const volume: ModelSource = { kind: ModelSourceKind.Volume, uri: "pvc://models/qwen3-8b", claim: "models", path: "qwen3-8b" };
const path: ModelSource = { kind: ModelSourceKind.Path, uri: "/opt/weights/qwen3-8b", path: "/opt/weights/qwen3-8b" };
const cachedKinds = [ModelCacheKind.NodeLocal, ModelCacheKind.Shared];
const allKinds = [ModelCacheKind.EmptyDir, ...cachedKinds];

// Marker keys: the first 16 hex digits of sha256("<uri>@<revision>").
const hfKeyPinned = "d020c356c78a5f02"; // sha256("Qwen/Qwen3-8B@0123abcd")
const hfKeyUnpinned = "abc91c9c0b5fe9f5"; // sha256("Qwen/Qwen3-8B@")
const s3Key = "5d3dd3de0cee4e2a"; // sha256("s3://acme-models/qwen3-8b@")
const s3KeyWithRevision = "7360f96b772e934e"; // sha256("s3://acme-models/qwen3-8b@v2")

describe("the mount points", () => {
    it("caches mount at /models, pvc:// sources under /mnt/model-volumes", () => {
        expect(modelCacheMountPath).toBe("/models");
        expect(modelVolumesPath).toBe("/mnt/model-volumes");
    });
});

describe("servedPath: what vLLM is told to load", () => {
    it("an S3 source is read from the cache's s3/<bucket>/<prefix> when cached, streamed from its URI when not", () => {
        for (const cache of cachedKinds) {
            for (const asAdapter of [false, true]) {
                expect(servedPath(s3, undefined, cache, asAdapter)).toBe("/models/s3/acme-models/qwen3-8b");
            }
        }
        for (const asAdapter of [false, true]) {
            expect(servedPath(s3, "v2", ModelCacheKind.EmptyDir, asAdapter)).toBe("s3://acme-models/qwen3-8b");
        }
    });

    it("a volume source is read from /mnt/model-volumes/<claim>/<path> whatever the cache", () => {
        for (const cache of allKinds) {
            for (const asAdapter of [false, true]) {
                expect(servedPath(volume, "0123abcd", cache, asAdapter)).toBe("/mnt/model-volumes/models/qwen3-8b");
            }
        }
    });

    it("a path source is its own absolute path whatever the cache", () => {
        for (const cache of allKinds) {
            for (const asAdapter of [false, true]) {
                expect(servedPath(path, "0123abcd", cache, asAdapter)).toBe("/opt/weights/qwen3-8b");
            }
        }
    });

    it("a Hugging Face base model keeps its repo id (--revision pins it), cached or not", () => {
        for (const cache of allKinds) {
            expect(servedPath(hf, "0123abcd", cache, false)).toBe("Qwen/Qwen3-8B");
            expect(servedPath(hf, undefined, cache, false)).toBe("Qwen/Qwen3-8B");
        }
    });

    it("a pinned Hugging Face adapter in a cache is named by its snapshot directory", () => {
        for (const cache of cachedKinds) {
            expect(servedPath(hf, "0123abcd", cache, true)).toBe("/models/hub/models--Qwen--Qwen3-8B/snapshots/0123abcd");
        }
    });

    it("an unpinned or uncached Hugging Face adapter keeps its repo id", () => {
        for (const cache of cachedKinds) {
            expect(servedPath(hf, undefined, cache, true)).toBe("Qwen/Qwen3-8B");
        }
        expect(servedPath(hf, "0123abcd", ModelCacheKind.EmptyDir, true)).toBe("Qwen/Qwen3-8B");
    });

    it("a Hugging Face source without a repo (not one the parser makes) gets an empty repo in the snapshot path", () => {
        const noRepo: ModelSource = { kind: ModelSourceKind.HuggingFace, uri: "Qwen/Qwen3-8B" };
        expect(servedPath(noRepo, "0123abcd", ModelCacheKind.NodeLocal, true)).toBe("/models/hub/models--/snapshots/0123abcd");
    });
});

describe("fetchItem: what a cache downloads for a source", () => {
    it("nothing for an emptyDir cache, whatever the source", () => {
        for (const source of [hf, s3, volume, path]) {
            expect(fetchItem(source, "0123abcd", ModelCacheKind.EmptyDir)).toBeUndefined();
        }
    });

    it("nothing for volume and path sources, whatever the cache", () => {
        for (const cache of cachedKinds) {
            expect(fetchItem(volume, "0123abcd", cache)).toBeUndefined();
            expect(fetchItem(path, "0123abcd", cache)).toBeUndefined();
        }
    });

    it("a Hugging Face repo at its revision, keyed by sha256(uri@revision)", () => {
        for (const cache of cachedKinds) {
            expect(fetchItem(hf, "0123abcd", cache)).toStrictEqual({ kind: "huggingface", repo: "Qwen/Qwen3-8B", revision: "0123abcd", key: hfKeyPinned });
        }
    });

    it("an unpinned Hugging Face repo is keyed by sha256(uri@)", () => {
        expect(fetchItem(hf, undefined, ModelCacheKind.Shared)).toStrictEqual({ kind: "huggingface", repo: "Qwen/Qwen3-8B", revision: undefined, key: hfKeyUnpinned });
    });

    it("an S3 bucket and prefix, keyed by sha256(uri@revision)", () => {
        for (const cache of cachedKinds) {
            expect(fetchItem(s3, undefined, cache)).toStrictEqual({ kind: "s3", bucket: "acme-models", prefix: "qwen3-8b", key: s3Key });
        }
        expect(fetchItem(s3, "v2", ModelCacheKind.NodeLocal)).toStrictEqual({ kind: "s3", bucket: "acme-models", prefix: "qwen3-8b", key: s3KeyWithRevision });
    });
});

const hfItem: FetchItem = { kind: "huggingface", repo: "Qwen/Qwen3-8B", revision: "0123abcd", key: hfKeyPinned };
const s3Item: FetchItem = { kind: "s3", bucket: "acme-models", prefix: "qwen3-8b", key: s3Key };

describe("the download step", () => {
    it("the download program: each item once (its marker under /models/.ready), Hugging Face into hub/, S3 into s3/<bucket>/", () => {
        expect(fetchScript.split("\n")).toStrictEqual(downloadProgramLines);
    });

    it("unlocked: python3 -c <program> <items as JSON>", () => {
        expect(fetchCommand([hfItem, s3Item], false)).toStrictEqual(["python3", "-c", fetchScript, JSON.stringify([hfItem, s3Item])]);
        expect(fetchCommand([hfItem], false)[3]).toBe('[{"kind":"huggingface","repo":"Qwen/Qwen3-8B","revision":"0123abcd","key":"d020c356c78a5f02"}]');
    });

    it("locked: the same under flock /models/.lock", () => {
        expect(fetchCommand([s3Item], true)).toStrictEqual(["flock", "/models/.lock", "python3", "-c", fetchScript, '[{"kind":"s3","bucket":"acme-models","prefix":"qwen3-8b","key":"5d3dd3de0cee4e2a"}]']);
    });
});

describe("the wait step of a shared cache", () => {
    it("polls every item's marker under /models/.ready every 5 seconds", () => {
        expect(waitCommand([hfItem, s3Item])).toStrictEqual([
            "sh",
            "-c",
            'for m in /models/.ready/d020c356c78a5f02 /models/.ready/5d3dd3de0cee4e2a; do until [ -f "$m" ]; do echo "waiting for the preload Job: $m"; sleep 5; done; done',
        ]);
    });
});

describe("preloadJobName", () => {
    it("is the service's name, -preload-, and the first 8 hex digits of sha256 of the items as JSON", () => {
        // sha256('[{"kind":"huggingface","repo":"Qwen/Qwen3-8B","revision":"0123abcd","key":"d020c356c78a5f02"}]')
        expect(preloadJobName("qwen3-8b", [hfItem])).toBe("qwen3-8b-preload-e8092cc1");
        // sha256 of both items as JSON: 14ad7712…
        expect(preloadJobName("chat", [hfItem, s3Item])).toBe("chat-preload-14ad7712");
    });
});

describe("cacheEnv: the serving container's environment", () => {
    it("nothing for an emptyDir cache (vLLM downloads at start)", () => {
        expect(cacheEnv(ModelCacheKind.EmptyDir)).toStrictEqual({});
    });

    it("the hub cache under /models and offline mode for node-local and shared caches", () => {
        for (const cache of cachedKinds) {
            expect(cacheEnv(cache)).toStrictEqual({ HF_HUB_CACHE: "/models/hub", HF_HUB_OFFLINE: "1" });
        }
    });
});
