/**
 * The model side of a service's config, resolved and checked: its source and revision, its
 * model cache (its own, else its node group's), S3 access, and LoRA adapters as services of
 * their own on a base service. Called by `parseConfig`; every problem with path, value, fix.
 */
import { findGpuInstanceType } from "../catalog/gpuInstances";
import { efsStorageClassName } from "../conventions";
import { didYouMean } from "./didYouMean";
import { IssueList, quoted } from "./issues";
import { isModelSource, ModelSource, ModelSourceKind, parseModelSource } from "./modelSource";
import { AmiType, defaults, instanceStoreMount, loraRankChoices, ModelCacheKind, S3AccessMode, ServiceTask } from "./rules";
import { RawConfig } from "./schema";
import { ClusterConfig, ModelAccessConfig, ModelCacheConfig, NodeGroupConfig, ServiceConfig } from "./types";

type RawService = NonNullable<RawConfig["services"]>[number];
type RawCache = NonNullable<RawService["modelCache"]>;

/** Keys an adapter service may set: everything else comes from its base. */
const adapterKeys = new Set(["name", "displayName", "base", "adapter", "revision", "rank"]);

/** A source string, parsed; problems reported at `path`. Undefined when it is not a source. */
export function resolveSource(uri: string, path: string, access: ModelAccessConfig, issues: IssueList): ModelSource | undefined {
    const source = parseModelSource(uri);
    if (!isModelSource(source)) {
        issues.add(path, uri, source.problem, source.fix);
        return undefined;
    }
    if (source.kind === ModelSourceKind.S3 && !access.s3) {
        issues.add(
            path,
            uri,
            "is an S3 URI but no S3 access is configured",
            "set modelAccess.s3.mode: pod-identity (EKS Pod Identity role for that prefix), node-role (the node group's role) or secret (with modelAccess.s3.secretName)",
        );
    }
    return source;
}

/** The cache a service uses: its own settings, else its node group's, else an emptyDir. */
export function resolveModelCache(
    own: RawCache | undefined,
    group: NodeGroupConfig | undefined,
    groupIndex: number,
    serviceName: string,
    path: string,
    cluster: ClusterConfig,
    issues: IssueList,
): ModelCacheConfig {
    const settings = own ?? group?.modelCache;
    const at = own ? `${path}.modelCache` : `nodeGroups[${groupIndex}].modelCache`;
    const scope = own ? `service/${serviceName}` : `node-group/${group?.name ?? ""}`;
    const cache: ModelCacheConfig = { kind: settings?.kind ?? defaults.modelCacheKind, sizeGiB: settings?.sizeGiB ?? defaults.modelCacheGiB, scope };
    if (cache.kind === ModelCacheKind.NodeLocal) {
        cache.hostPath = settings?.hostPath ?? defaults.nodeLocalCachePath;
        const type = group?.instanceType ? findGpuInstanceType(group.instanceType) : undefined;
        // Every GPU type of the catalog has instance store (its test checks): the cache must fit in it.
        if (cluster.kind === "eks" && type && cache.sizeGiB * 1.073741824 > type.instanceStoreGB) {
            issues.add(`${at}.sizeGiB`, cache.sizeGiB, `is more than the ${type.instanceStoreGB} GB of instance store of ${type.instanceType}`, `lower it to at most ${Math.floor(type.instanceStoreGB / 1.073741824)}`);
        }
        // On EKS the cache lives on the RAID0 array nodeadm builds from the instance store; anywhere else it fills the EBS root volume.
        if (cluster.kind === "eks" && group?.amiType === AmiType.BottlerocketNvidia) {
            issues.add(
                `${at}.kind`,
                cache.kind,
                `needs the instance store set up as RAID0 by nodeadm, which the AL2023 AMI runs and ${group.amiType} does not`,
                `set nodeGroups[${groupIndex}].amiType to ${AmiType.Al2023Nvidia}, or use a shared cache`,
            );
        }
        if (cluster.kind === "eks" && !cache.hostPath.startsWith(`${instanceStoreMount}/`)) {
            issues.add(`${at}.hostPath`, cache.hostPath, `is not on the instance-store array (${instanceStoreMount}): the cache would fill the node's root volume`, `use a directory under ${instanceStoreMount}/, e.g. ${defaults.nodeLocalCachePath}, or remove hostPath`);
        }
    }
    if (settings?.hostPath !== undefined && cache.kind !== ModelCacheKind.NodeLocal) {
        issues.add(`${at}.hostPath`, settings.hostPath, `applies to node-local caches only, not ${cache.kind}`, "remove hostPath, or set kind: node-local");
    }
    if (cache.kind === ModelCacheKind.Shared) {
        // A cluster the stack creates gets an EFS file system, its CSI driver and StorageClass from the platform.
        cache.storageClass = settings?.storageClass ?? (cluster.kind === "eks" && cluster.create ? efsStorageClassName : undefined);
        if (!cache.storageClass) {
            issues.add(
                `${at}.storageClass`,
                undefined,
                "is required for a shared cache",
                cluster.kind === "eks"
                    ? "name a ReadWriteMany StorageClass of the existing cluster: EFS (efs.csi.aws.com) or FSx for Lustre (fsx.csi.aws.com), see docs/models.md"
                    : "name a ReadWriteMany StorageClass of the cluster",
            );
        }
    } else if (settings?.storageClass !== undefined) {
        issues.add(`${at}.storageClass`, settings.storageClass, `applies to shared caches only, not ${cache.kind}`, "remove storageClass, or set kind: shared");
    }
    return cache;
}

/** Raw keys an adapter service sets that belong to its base. */
export function keysAdaptersMayNotSet(raw: RawService): string[] {
    return Object.keys(raw).filter((k) => !adapterKeys.has(k) && (raw as Record<string, unknown>)[k] !== undefined);
}

/**
 * Adapter services: a base that exists, is no adapter itself and serves chat or vision; a
 * rank within the base's `maxLoraRank` (or vLLM's largest choice). An adapter runs in its
 * base's pods, so it takes the base's model, instances, node group and task.
 */
export function resolveAdapters(raws: readonly RawService[], services: ServiceConfig[], issues: IssueList): void {
    const names = services.filter((s) => s.base === undefined).map((s) => s.name);
    services.forEach((service, i) => {
        if (service.base === undefined) {
            return;
        }
        const path = `services[${i}]`;
        const raw = raws[i];
        for (const key of keysAdaptersMayNotSet(raw)) {
            issues.add(`${path}.${key}`, undefined, "cannot be set on an adapter service: it runs in its base's pods", `set it on the base service "${service.base}", or remove it`);
        }
        if (raw.adapter === undefined) {
            issues.add(`${path}.adapter`, undefined, "is missing; an adapter service names its LoRA adapter", "set adapter to the adapter's Hugging Face id, s3:// or pvc:// source");
        }
        if (raw.rank === undefined) {
            issues.add(`${path}.rank`, undefined, "is missing; vLLM must reserve room for the adapter's rank", "set rank to r from the adapter's adapter_config.json");
        }
        const baseIndex = services.findIndex((s) => s.name === service.base);
        const base = services[baseIndex];
        if (!base) {
            issues.add(`${path}.base`, service.base, "names no service", didYouMean(service.base, names) ?? (names.length ? `use one of ${quoted(names)}` : "add the base service first"));
            return;
        }
        if (base.base !== undefined) {
            issues.add(`${path}.base`, service.base, `names an adapter service (its base is "${base.base}"); adapters do not stack`, `set base to "${base.base}"`);
            return;
        }
        if (base.task !== ServiceTask.Chat && base.task !== ServiceTask.Vision) {
            issues.add(`${path}.base`, service.base, `serves ${base.task}; LoRA adapters are served for chat and vision models`, "pick a chat or vision base");
        }
        const limit = base.maxLoraRank ?? loraRankChoices[loraRankChoices.length - 1];
        if (service.rank !== undefined && service.rank > limit) {
            issues.add(
                `${path}.rank`,
                service.rank,
                `is above the LoRA rank limit of base "${base.name}" (maxLoraRank ${limit})`,
                `raise services[${baseIndex}].maxLoraRank to ${loraRankChoices.find((r) => r >= (service.rank ?? 0)) ?? limit}, or use an adapter of rank ≤ ${limit}`,
            );
        }
        const cacheless = base.modelCache.kind === ModelCacheKind.EmptyDir;
        if (cacheless && service.adapter?.kind === ModelSourceKind.S3) {
            issues.add(`${path}.adapter`, service.adapter.uri, "is in S3, which vLLM cannot read adapters from, and its base has no model cache to preload it into", `give base "${base.name}" a node-local or shared modelCache`);
        }
        if (cacheless && service.adapter?.kind === ModelSourceKind.HuggingFace && service.revision !== undefined) {
            issues.add(`${path}.revision`, service.revision, "needs a model cache on the base: vLLM's --lora-modules cannot pin a revision, so the pinned snapshot is preloaded", `give base "${base.name}" a node-local or shared modelCache, or remove revision`);
        }
        Object.assign(service, {
            model: base.model,
            source: base.source,
            instances: base.instances,
            nodeGroup: base.nodeGroup,
            task: base.task,
            modelCache: base.modelCache,
        });
    });
}

/** `modelAccess`: S3 modes that fit the cluster, a Secret name exactly when the mode needs one. */
export function resolveModelAccess(raw: RawConfig["modelAccess"], cluster: ClusterConfig, issues: IssueList): ModelAccessConfig {
    const s3 = raw?.s3;
    if (!s3) {
        return {};
    }
    if (s3.mode === S3AccessMode.Secret && s3.secretName === undefined) {
        issues.add("modelAccess.s3.secretName", undefined, "is required with mode secret", "create a Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the namespace and name it here");
    }
    if (s3.mode !== S3AccessMode.Secret && s3.secretName !== undefined) {
        issues.add("modelAccess.s3.secretName", s3.secretName, `is not used with mode ${s3.mode}`, "remove secretName, or set mode: secret");
    }
    if (s3.mode !== S3AccessMode.Secret && cluster.kind !== "eks") {
        issues.add("modelAccess.s3.mode", s3.mode, "needs an EKS cluster (it grants an IAM role read access)", "use mode secret with a Secret of AWS keys on this cluster");
    }
    return { s3: { mode: s3.mode, secretName: s3.secretName } };
}
