import type { IssueList } from "./config";
import { findGpuInstanceType, gpuInstanceTypesOfFamily } from "./gpuCatalog";
import { NodeGroupConfig, PlatformConfig, ServiceConfig } from "./types";

/**
 * Nodes needed to place `pods` (each asking for some GPUs) on nodes of `gpusPerNode` GPUs:
 * first-fit decreasing, which is exact when every request divides the node's GPUs and
 * never under-counts when one does not (three 3-GPU pods need three 4-GPU nodes, not
 * the ⌈9 ÷ 4⌉ = 3 that happens to agree, but five need five, not four).
 */
export function nodesNeeded(podGpus: readonly number[], gpusPerNode: number): number {
    const free: number[] = [];
    for (const gpus of [...podGpus].sort((a, b) => b - a)) {
        if (gpus > gpusPerNode) {
            return Infinity;
        }
        const node = free.findIndex((f) => f >= gpus);
        if (node < 0) {
            free.push(gpusPerNode - gpus);
        } else {
            free[node] -= gpus;
        }
    }
    return free.length;
}

/** The GPU requests of every pod a set of services runs. */
export function podGpuRequests(services: readonly ServiceConfig[]): number[] {
    return services.flatMap((s) => Array.from({ length: s.instances }, () => s.gpus));
}

/**
 * Resolves the GPU side of a parsed config in place: each node group's instance type (when
 * only a family is given) and GPUs per node, each service's fit on its group, and each
 * group's desired size from the GPU demand placed on it. Problems go to `issues`.
 */
export function planCapacity(config: PlatformConfig, issues: IssueList): void {
    config.nodeGroups.forEach((group, g) => {
        const placed = config.services.map((s, i) => ({ s, i })).filter(({ s }) => s.nodeGroup === group.name);
        if (group.instanceTypeChosen) {
            group.instanceType = chooseInstanceType(group, placed.map(({ s }) => s)) ?? "";
            if (!group.instanceType) {
                const most = Math.max(...placed.map(({ s }) => s.gpus));
                issues.add(`nodeGroups[${g}].family`, group.family, `has no size with ${most} GPUs per node`, "pick a family with larger sizes, or lower the services' gpus");
                return;
            }
        }
        const type = findGpuInstanceType(group.instanceType);
        if (!type) {
            return;
        }
        group.gpusPerNode = type.gpus;
        let fits = true;
        for (const { s, i } of placed) {
            if (s.gpus > type.gpus) {
                fits = false;
                issues.add(
                    `services[${i}].gpus`,
                    s.gpus,
                    `is more than one node of node group "${group.name}" has (${type.instanceType}: ${type.gpus} GPU${type.gpus === 1 ? "" : "s"})`,
                    `lower gpus to at most ${type.gpus}, or place the service on a node group with a larger instance type`,
                );
            }
        }
        if (!fits) {
            return;
        }
        const needed = nodesNeeded(podGpuRequests(placed.map(({ s }) => s)), type.gpus);
        if (needed > group.maxSize) {
            const demand = placed
                .filter(({ s }) => s.instances > 0)
                .map(({ s }) => `${s.name} ${s.instances}×${s.gpus}`)
                .join(", ");
            issues.add(
                `nodeGroups[${g}].maxSize`,
                group.maxSize,
                `is too small: the services placed on "${group.name}" (${demand}) need ${needed} ${type.instanceType} nodes`,
                `raise maxSize to at least ${needed}, or lower those services' instances`,
            );
            return;
        }
        group.desiredSize = Math.min(group.maxSize, Math.max(group.minSize, needed));
    });
}

/** The cheapest size of the group's family whose node holds the largest GPU request placed on it. */
function chooseInstanceType(group: NodeGroupConfig, placed: ServiceConfig[]): string | undefined {
    const most = Math.max(1, ...placed.map((s) => s.gpus));
    const candidates = gpuInstanceTypesOfFamily(group.family ?? "")
        .filter((t) => t.gpus >= most)
        .sort((a, b) => a.pricePerHourUsd - b.pricePerHourUsd);
    return candidates[0]?.instanceType;
}
