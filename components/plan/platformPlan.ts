import { ConfigError, ConfigIssue, IssueList, quoted } from "../config/issues";
import { parseConfig, ParseContext } from "../config/parse";
import { PlatformConfig } from "../config/types";
import { accessName } from "../conventions";
import { planAutoscale } from "./autoscalePlan";
import { eksAddonVersions } from "../versions";
import { planCapacity } from "./capacity";
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
    const cluster = config.cluster;
    if (cluster.kind === "eks" && cluster.create && !eksAddonVersions[cluster.version]) {
        issues.add(
            "cluster.version",
            cluster.version,
            "has no pinned EKS add-on versions (VPC CNI, CoreDNS, kube-proxy, Pod Identity agent)",
            `use ${quoted(Object.keys(eksAddonVersions))}, or pin that version's add-ons in components/versions.ts`,
        );
    }
    const gpuTotals = planCapacity(services, nodeGroups, issues);
    planAutoscale(services, nodeGroups, issues);
    planCpuGroups(nodeGroups);
    const capacity = priceCluster(config.cluster, nodeGroups, gpuTotals);
    const plan: PlatformPlan = {
        owner: config.owner,
        namespace: config.namespace,
        cluster: config.cluster,
        nodeGroups,
        services,
        apiKeys: config.apiKeys,
        gateway: config.gateway,
        keyStore: config.keyStore,
        metricsScraper: config.metricsScraper,
        autoscaling: config.autoscaling,
        monitoring: config.monitoring,
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
