import { ConfigError, ConfigIssue, IssueList, quoted } from "../config/issues";
import { parseConfig, ParseContext } from "../config/parse";
import { PlatformConfig } from "../config/types";
import { accessName, efsStorageClassName } from "../conventions";
import { planAutoscale } from "./autoscalePlan";
import { eksAddonVersions } from "../versions";
import { planCapacity } from "./capacity";
import { resolveModel, servingOptions, weightBytes } from "./footprint";
import { loraPlan } from "./lora";
import { LocalStorageStrategy } from "./nodeBootstrap";
import { ModelCacheKind } from "../config/rules";
import { servedPath } from "./modelCache";
import { startupBudget } from "./startupBudget";
import { planCpuGroups, priceCluster } from "./clusterCost";
import { NodeGroupPlan, PlatformPlan, ServicePlan } from "./types";

/** A plan and the problems found while making it (config paths, values and fixes). */
export interface PlanResult {
    plan: PlatformPlan;
    /** Empty when the plan can be deployed. */
    issues: ConfigIssue[];
}

/**
 * Plans a parsed config: access names, each service's GPUs, fit and cost, each node group's
 * instance type and desired size, the totals. Pure: the config is not written to, and the
 * same config always gives the same plan.
 */
export function planPlatform(config: PlatformConfig): PlanResult {
    const issues = new IssueList();
    const nodeGroups = config.nodeGroups.map(
        (g): NodeGroupPlan => ({
            name: g.name,
            instanceType: g.instanceType ?? "",
            instanceTypeChosen: g.instanceType === undefined,
            kind: g.kind,
            family: g.family,
            gpusPerNode: 0,
            minSize: g.minSize,
            desiredSize: g.minSize,
            maxSize: g.maxSize,
            capacityType: g.capacityType,
            diskSizeGiB: g.diskSizeGiB,
            amiType: g.amiType,
        }),
    );
    const services = config.services.map(
        (s): ServicePlan => ({
            name: s.name,
            displayName: s.displayName,
            accessName: accessName(config.owner, s.name),
            model: s.model,
            source: s.source,
            revision: s.revision,
            base: s.base,
            adapter: s.adapter,
            rank: s.rank,
            maxLoraRank: s.maxLoraRank,
            modelCache: s.modelCache,
            startup: startupBudget(undefined, s.source.kind, s.modelCache.kind),
            task: s.task,
            instances: s.instances,
            autoscale: s.autoscale ? { ...s.autoscale, scaleUpSeconds: 0 } : undefined,
            gpus: s.gpus ?? 1,
            gpusChosen: s.gpus === undefined,
            nodeGroup: s.nodeGroup,
            maxModelLen: s.maxModelLen,
            image: s.image,
            engineArgs: [...s.engineArgs],
            env: { ...s.env },
            dtype: s.dtype,
            quantization: s.quantization,
            gpuMemoryUtilization: s.gpuMemoryUtilization,
            architecture: s.architecture,
        }),
    );
    // An adapter has its base's node group, model, source and cache (resolveAdapters): what
    // follows holds for it as for its base, without asking which of the two a service is.
    for (const group of nodeGroups) {
        if (services.some((s) => s.nodeGroup === group.name && s.modelCache.kind === ModelCacheKind.NodeLocal)) {
            group.localStorage = LocalStorageStrategy.Raid0;
        }
    }
    const cluster = config.cluster;
    if (cluster.kind === "eks" && cluster.create && !eksAddonVersions[cluster.version]) {
        issues.add(
            "cluster.version",
            cluster.version,
            "has no pinned EKS add-on versions (VPC CNI, CoreDNS, kube-proxy, Pod Identity agent)",
            `use ${quoted(Object.keys(eksAddonVersions))}, or pin that version's add-ons in components/versions.ts`,
        );
    }
    // Before capacity: a base's LoRA buffers take GPU memory its fit must leave room for, and
    // the autoscale plan's cold-start estimate is made from the startup budget. An adapter has
    // neither: it takes its base's budget below.
    for (const service of services.filter((s) => s.base === undefined)) {
        const adapters = services.filter((a) => a.base === service.name);
        service.lora = loraPlan(
            adapters.map((a) => ({ name: a.accessName, path: servedPath(a.adapter!, a.revision, service.modelCache.kind, true), rank: a.rank ?? 0 })),
            service.maxLoraRank,
        );
        const model = resolveModel(service.model, service.architecture, service.task);
        const weightsGiB = model ? weightBytes(model, servingOptions(service)) / 1024 ** 3 : undefined;
        service.startup = startupBudget(weightsGiB, service.source.kind, service.modelCache.kind);
    }
    const gpuTotals = planCapacity(services, nodeGroups, issues);
    planAutoscale(services, nodeGroups, issues);
    planCpuGroups(nodeGroups);
    const capacity = priceCluster(config.cluster, nodeGroups, gpuTotals);
    const byName = new Map(services.map((s) => [s.name, s]));
    for (const adapter of services) {
        if (adapter.base !== undefined) {
            const base = byName.get(adapter.base)!;
            Object.assign(adapter, { startup: base.startup, gpus: base.gpus, gpusChosen: base.gpusChosen });
        }
    }
    const plan: PlatformPlan = {
        owner: config.owner,
        namespace: config.namespace,
        cluster: config.cluster,
        nodeGroups,
        services,
        apiKeys: config.apiKeys,
        gateway: config.gateway,
        keyStore: config.keyStore,
        modelAccess: config.modelAccess,
        metricsScraper: config.metricsScraper,
        autoscaling: config.autoscaling,
        monitoring: config.monitoring,
        playground: config.playground,
        managedEfs:
            cluster.kind === "eks" &&
            cluster.create &&
            services.some((s) => s.modelCache.kind === ModelCacheKind.Shared && s.modelCache.storageClass === efsStorageClassName),
        capacity,
    };
    return { plan, issues: issues.issues };
}

/** `planPlatform`, throwing one `ConfigError` listing every problem. */
export function planOrThrow(config: PlatformConfig): PlatformPlan {
    const { plan, issues } = planPlatform(config);
    if (issues.length > 0) {
        throw new ConfigError(issues);
    }
    return plan;
}

/**
 * A stack's raw `model-services:*` keys to a deployable plan: `parseConfig`, then
 * `planPlatform`. Throws one `ConfigError` (every problem with path, value and fix) before
 * anything is created.
 */
export function loadPlatform(raw: Record<string, unknown>, ctx: ParseContext): PlatformPlan {
    return planOrThrow(parseConfig(raw, ctx));
}
