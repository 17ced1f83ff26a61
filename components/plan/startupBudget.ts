import { ModelSourceKind } from "../config/modelSource";
import { ModelCacheKind } from "../config/rules";

/**
 * How long a pod may take to start serving, from the weights' size and where they come
 * from: download (when the pod downloads), load from the cache's storage, then engine
 * warm-up. The startup probe allows twice the estimate (never less than `floorSeconds`), so
 * a slow node is not killed while a stuck one still is. `npm run plan` prints it.
 *
 * Throughputs are deliberately low, sustained figures for one pod (MiB/s):
 * - `rootVolume`: an emptyDir lives on the node's root EBS gp3 volume, whose baseline is
 *   125 MiB/s (https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html); the
 *   download is written at that rate and read back at it.
 * - `huggingFace`: the Hub's CDN to one pod; an assumption (not measured here: no network),
 *   well below what hf_transfer/hf_xet reach on a 10+ Gbit/s GPU instance.
 * - `s3`: S3 to one instance with parallel range GETs (Run:ai streamer, boto3 transfers); S3
 *   scales per prefix to 5,500 GET/s (https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html),
 *   so the instance's network is the limit; 500 MiB/s is well under a g6e.xlarge's 20 Gbit/s.
 * - `nodeLocal`: instance-store NVMe, > 1 GB/s per device; 1000 MiB/s assumed.
 * - `shared`: one client of EFS elastic throughput (per-client reads up to 1,500 MiB/s,
 *   https://docs.aws.amazon.com/efs/latest/ug/performance.html) or FSx for Lustre; 250 MiB/s
 *   assumed, the low end for a file system shared by many pods.
 */
export const startupThroughputMiBps = {
    rootVolume: 125,
    huggingFace: 100,
    s3: 500,
    nodeLocal: 1000,
    shared: 250,
} as const;

/** Engine warm-up after the weights are on the GPUs: torch.compile and CUDA graph capture (vLLM V1 defaults). */
export const warmupSeconds = 180;
/** Least startup budget: the policy pack's k8s-vllm-probes minimum (minStartupSeconds). */
export const floorSeconds = 1800;
/** Budget ÷ estimate. */
export const safetyFactor = 2;
/** The startup probe's period; the budget is a whole number of periods. */
export const startupPeriodSeconds = 10;

/** A startup estimate and the probe budget it gives. */
export interface StartupBudget {
    /** Download at start, seconds (0 when the cache or the source spares it). */
    downloadSeconds: number;
    /** Reading the weights onto the GPUs, seconds. */
    loadSeconds: number;
    warmupSeconds: number;
    /** What the startup probe allows: `max(floor, safetyFactor × estimate)`, rounded up to a period. */
    budgetSeconds: number;
    /** True when the weights' size is unknown and the budget is the fallback. */
    sizeUnknown: boolean;
    /** What a shared cache's preload Job may take (its download, twice, at least the floor), seconds; what Pulumi waits for it. */
    preloadBudgetSeconds: number;
}

/** The fallback budget when a model's size is unknown: the platform's former constant. */
export const unknownSizeBudgetSeconds = 3600;

/**
 * The startup estimate of a pod that loads `weightsGiB` from `source` with `cache`. Node-local
 * caches are costed cold (the first pod on a new node downloads); shared caches never download
 * at start (the preload Job did, and the pods wait for it).
 */
export function startupBudget(weightsGiB: number | undefined, source: ModelSourceKind, cache: ModelCacheKind): StartupBudget {
    if (weightsGiB === undefined) {
        return { downloadSeconds: 0, loadSeconds: 0, warmupSeconds, budgetSeconds: unknownSizeBudgetSeconds, sizeUnknown: true, preloadBudgetSeconds: unknownSizeBudgetSeconds };
    }
    const t = startupThroughputMiBps;
    const mib = weightsGiB * 1024;
    const remote = source === ModelSourceKind.S3 ? t.s3 : t.huggingFace;
    const downloads = source === ModelSourceKind.HuggingFace || source === ModelSourceKind.S3;
    let download = 0;
    let load: number;
    if (source === ModelSourceKind.Volume || source === ModelSourceKind.Path) {
        load = mib / t.shared;
    } else if (cache === ModelCacheKind.Shared) {
        load = mib / t.shared;
    } else if (cache === ModelCacheKind.NodeLocal) {
        download = downloads ? mib / Math.min(remote, t.nodeLocal) : 0;
        load = mib / t.nodeLocal;
    } else if (source === ModelSourceKind.S3) {
        // Streamed straight from S3 onto the GPUs: no download step.
        load = mib / t.s3;
    } else {
        download = mib / Math.min(remote, t.rootVolume);
        load = mib / t.rootVolume;
    }
    const estimate = download + load + warmupSeconds;
    const budget = Math.max(floorSeconds, Math.ceil((safetyFactor * estimate) / startupPeriodSeconds) * startupPeriodSeconds);
    const preload = downloads && cache === ModelCacheKind.Shared ? mib / Math.min(remote, t.shared) : 0;
    return {
        downloadSeconds: Math.round(download),
        loadSeconds: Math.round(load),
        warmupSeconds,
        budgetSeconds: budget,
        sizeUnknown: false,
        preloadBudgetSeconds: Math.max(floorSeconds, Math.ceil(safetyFactor * preload)),
    };
}
