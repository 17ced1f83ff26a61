import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ModelSource, ModelSourceKind } from "../config/modelSource";
import { ModelCacheKind } from "../config/rules";
import { cacheEnv, fetchCommand, FetchItem, fetchItem, modelCacheMountPath, modelVolumesPath, waitCommand } from "../plan/modelCache";

/**
 * The parts of a service's pod (and of its preload Job) that depend on where its weights
 * come from: volumes, mounts, environment, the download or wait step. Kept apart from
 * `ModelService` so the pod spec reads in one sitting.
 */

/** A model cache as `ModelService` takes it. */
export interface ModelCacheArgs {
    /** @default "emptyDir" */
    kind: ModelCacheKind;
    /** emptyDir size limit, GiB. @default 200 */
    sizeGiB?: number;
    /** node-local: the directory on the node. */
    hostPath?: string;
    /** shared: the ReadWriteMany PersistentVolumeClaim (see `SharedModelCache`). */
    claimName?: pulumi.Input<string>;
}

/** One source the pod reads, with its pin. */
export interface SourceRef {
    source: ModelSource;
    revision?: string;
}

export interface CachePodParts {
    volumes: k8s.types.input.core.v1.Volume[];
    /** Mounts of the serving container: every cache and volume read-only, except an emptyDir. */
    mounts: k8s.types.input.core.v1.VolumeMount[];
    env: Record<string, string>;
    initContainers: k8s.types.input.core.v1.Container[];
    /** What the preload Job fetches (shared caches only); empty when there is nothing to fetch. */
    preloadItems: FetchItem[];
}

/** The model and its adapters (ModelService's args), as the cache parts and the preload Job read them. */
export function sourcesOf(args: { source?: ModelSource; revision?: string; adapters?: readonly SourceRef[] }): SourceRef[] {
    return [...(args.source ? [{ source: args.source, revision: args.revision }] : []), ...(args.adapters ?? []).map((a) => ({ source: a.source, revision: a.revision }))];
}

/** What the vLLM container and the preload Job are given to read gated or private sources. */
export function credentialEnv(hfTokenSecret: pulumi.Input<string> | undefined, awsCredentialsSecret: pulumi.Input<string> | undefined) {
    const env: k8s.types.input.core.v1.EnvVar[] = hfTokenSecret ? [{ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: hfTokenSecret, key: "token" } } }] : [];
    const envFrom = awsCredentialsSecret ? [{ secretRef: { name: awsCredentialsSecret } }] : undefined;
    return { env, envFrom };
}

/** The items a shared cache's preload Job fetches; empty for other caches. */
export function preloadItemsOf(sources: readonly SourceRef[], cache: ModelCacheArgs | undefined): FetchItem[] {
    return cache?.kind === ModelCacheKind.Shared ? fetchItems(sources, cache.kind) : [];
}

function fetchItems(sources: readonly SourceRef[], kind: ModelCacheKind): FetchItem[] {
    return sources.map((s) => fetchItem(s.source, s.revision, kind)).filter((i): i is FetchItem => i !== undefined);
}

/** Resources of the small download and wait steps. */
export const fetchResources = { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } } as const;

/**
 * The cache parts of a pod reading `sources` (the model, then its adapters). `defaultCachePath`
 * is where an emptyDir goes (vLLM's Hugging Face home, as before caches existed).
 */
export function cachePodParts(sources: readonly SourceRef[], cache: ModelCacheArgs, image: pulumi.Input<string>, defaultCachePath: string, defaultSizeGiB: number, shared: Partial<k8s.types.input.core.v1.Container>): CachePodParts {
    const parts: CachePodParts = { volumes: [], mounts: [], env: cacheEnv(cache.kind), initContainers: [], preloadItems: [] };
    const items = fetchItems(sources, cache.kind);
    const mount = { name: "model-cache", mountPath: modelCacheMountPath };
    switch (cache.kind) {
        case ModelCacheKind.NodeLocal:
            parts.volumes.push({ name: "model-cache", hostPath: { path: cache.hostPath ?? "", type: "DirectoryOrCreate" } });
            parts.mounts.push({ ...mount, readOnly: true });
            if (items.length > 0) {
                // Pods of one node share the directory: the lock makes the first download it and the others wait, then skip.
                parts.initContainers.push({ ...shared, name: "model-fetch", image, command: fetchCommand(items, true), volumeMounts: [mount], resources: fetchResources });
            }
            break;
        case ModelCacheKind.Shared:
            parts.volumes.push({ name: "model-cache", persistentVolumeClaim: { claimName: cache.claimName ?? "", readOnly: true } });
            parts.mounts.push({ ...mount, readOnly: true });
            parts.preloadItems = items;
            if (items.length > 0) {
                // Pulumi creates the Deployment after the preload Job completes; this covers pods started later (a new revision, a lost volume).
                parts.initContainers.push({ name: "wait-for-model", image, command: waitCommand(items), volumeMounts: [{ ...mount, readOnly: true }], resources: fetchResources });
            }
            break;
        default:
            parts.volumes.push({ name: "model-cache", emptyDir: { sizeLimit: `${cache.sizeGiB ?? defaultSizeGiB}Gi` } });
            parts.mounts.push({ name: "model-cache", mountPath: defaultCachePath });
            parts.env.HF_HOME = defaultCachePath;
    }
    const claims = [...new Set(sources.filter((s) => s.source.kind === ModelSourceKind.Volume).map((s) => s.source.claim ?? ""))];
    for (const [i, claim] of claims.entries()) {
        parts.volumes.push({ name: `model-volume-${i}`, persistentVolumeClaim: { claimName: claim, readOnly: true } });
        parts.mounts.push({ name: `model-volume-${i}`, mountPath: `${modelVolumesPath}/${claim}`, readOnly: true });
    }
    return parts;
}
