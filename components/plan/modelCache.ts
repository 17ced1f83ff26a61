import { createHash } from "node:crypto";
import { ModelSource, ModelSourceKind } from "../config/modelSource";
import { ModelCacheKind } from "../config/rules";

/**
 * Where a service's pods find their weights, as pure data: what vLLM is told to load, the
 * cache volume and how it is mounted, the environment, and the download step (an init
 * container with a lock for node-local caches, a preload Job for shared ones). Serving
 * containers mount node-local and shared caches read-only and run with `HF_HUB_OFFLINE=1`
 * (vLLM then resolves model ids to the cached snapshots), so a pod never downloads at start.
 * An emptyDir cache works as before: vLLM downloads into it at every start.
 */

/** Where node-local and shared caches are mounted. */
export const modelCacheMountPath = "/models";
/** Where `pvc://claim/path` sources are mounted: `<root>/<claim>`. */
export const modelVolumesPath = "/mnt/model-volumes";
/** Markers of completed downloads, one file per item: what the wait step looks for. */
const readyDir = `${modelCacheMountPath}/.ready`;

/** One thing to download into a cache. */
export interface FetchItem {
    kind: "huggingface" | "s3";
    /** huggingface: repo id; s3: bucket. */
    repo?: string;
    revision?: string;
    bucket?: string;
    prefix?: string;
    /** Marker name: a hash of what is fetched, so a new revision is fetched again. */
    key: string;
}

/** A cache as the pods see it. */
export interface ModelCacheSpec {
    kind: ModelCacheKind;
    sizeGiB: number;
    /** node-local: directory on the node. */
    hostPath?: string;
}

/** Where vLLM loads a source from, given the cache it has. */
export function servedPath(source: ModelSource, revision: string | undefined, cache: ModelCacheKind, asAdapter: boolean): string {
    const cached = cache !== ModelCacheKind.EmptyDir;
    switch (source.kind) {
        case ModelSourceKind.S3:
            // Uncached: vLLM streams s3:// weights itself (load format auto switches to runai_streamer).
            return cached ? `${modelCacheMountPath}/s3/${source.bucket}/${source.prefix}` : source.uri;
        case ModelSourceKind.Volume:
            return `${modelVolumesPath}/${source.claim}/${source.path}`;
        case ModelSourceKind.Path:
            return source.uri;
        default:
            // A base keeps its id (`--revision` pins it, HF_HUB_OFFLINE resolves it to the snapshot);
            // `--lora-modules` has no revision, so a pinned adapter is named by its snapshot directory.
            if (asAdapter && cached && revision) {
                return `${modelCacheMountPath}/hub/models--${(source.repo ?? "").replace(/\//g, "--")}/snapshots/${revision}`;
            }
            return source.uri;
    }
}

/** What a cache must download for a source; undefined when nothing is (volumes, paths, uncached). */
export function fetchItem(source: ModelSource, revision: string | undefined, cache: ModelCacheKind): FetchItem | undefined {
    if (cache === ModelCacheKind.EmptyDir || (source.kind !== ModelSourceKind.HuggingFace && source.kind !== ModelSourceKind.S3)) {
        return undefined;
    }
    const key = createHash("sha256").update(`${source.uri}@${revision ?? ""}`).digest("hex").slice(0, 16);
    return source.kind === ModelSourceKind.S3 ? { kind: "s3", bucket: source.bucket, prefix: source.prefix, key } : { kind: "huggingface", repo: source.repo, revision, key };
}

/**
 * The download program (Python, from the vLLM image, which has `huggingface_hub` and
 * `boto3`): each item once, then its marker. The caller holds the lock when pods share it.
 */
export const fetchScript = [
    "import json, pathlib, sys",
    `root = pathlib.Path("${modelCacheMountPath}")`,
    "for item in json.loads(sys.argv[1]):",
    `    marker = pathlib.Path("${readyDir}") / item["key"]`,
    "    if marker.exists():",
    "        continue",
    '    if item["kind"] == "huggingface":',
    "        from huggingface_hub import snapshot_download",
    '        snapshot_download(item["repo"], revision=item.get("revision"), cache_dir=str(root / "hub"))',
    "    else:",
    "        import boto3",
    '        s3, bucket, prefix = boto3.client("s3"), item["bucket"], item["prefix"]',
    '        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):',
    '            for obj in page.get("Contents", []):',
    '                target = root / "s3" / bucket / obj["Key"]',
    "                target.parent.mkdir(parents=True, exist_ok=True)",
    '                s3.download_file(bucket, obj["Key"], str(target))',
    "    marker.parent.mkdir(parents=True, exist_ok=True)",
    "    marker.touch()",
].join("\n");

/** The command of a download step: under a lock on the cache when pods of a node share it. */
export function fetchCommand(items: readonly FetchItem[], locked: boolean): string[] {
    const python = ["python3", "-c", fetchScript, JSON.stringify(items)];
    return locked ? ["flock", `${modelCacheMountPath}/.lock`, ...python] : python;
}

/** The command of the wait step of a shared cache: until every item's marker exists. */
export function waitCommand(items: readonly FetchItem[]): string[] {
    const markers = items.map((i) => `${readyDir}/${i.key}`).join(" ");
    return ["sh", "-c", `for m in ${markers}; do until [ -f "$m" ]; do echo "waiting for the preload Job: $m"; sleep 5; done; done`];
}

/** The preload Job's name: the service's, plus a hash of what it fetches (a Job's pod template cannot change). */
export function preloadJobName(serviceObjectName: string, items: readonly FetchItem[]): string {
    return `${serviceObjectName}-preload-${createHash("sha256").update(JSON.stringify(items)).digest("hex").slice(0, 8)}`;
}

/** Environment of the serving container for a cache kind. */
export function cacheEnv(cache: ModelCacheKind): Record<string, string> {
    return cache === ModelCacheKind.EmptyDir ? {} : { HF_HUB_CACHE: `${modelCacheMountPath}/hub`, HF_HUB_OFFLINE: "1" };
}
