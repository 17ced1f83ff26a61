import { eksControlPlanePricePerHourUsd, findCpuInstanceType } from "../catalog/cpuInstances";
import { NodeGroupKind } from "../config/rules";
import { ClusterConfig } from "../config/types";
import { CapacityPlan, NodeGroupPlan } from "./types";

/**
 * Sizes the CPU groups of a plan under construction: each runs `minSize` nodes, and at least
 * one (within `maxSize`), because the gateway and CoreDNS must have somewhere to run. GPUs
 * and prices of CPU groups are filled in like a GPU group's (no GPUs).
 */
export function planCpuGroups(nodeGroups: NodeGroupPlan[]): void {
    for (const group of nodeGroups) {
        const type = group.kind === NodeGroupKind.Cpu ? findCpuInstanceType(group.instanceType) : undefined;
        if (!type) {
            continue;
        }
        group.desiredSize = Math.min(group.maxSize, Math.max(group.minSize, 1));
        group.capacity = {
            gpuModel: "none",
            pricePerNodeHourUsd: type.pricePerHourUsd,
            totalGpus: 0,
            requestedGpus: 0,
            pricePerHourUsd: round(group.desiredSize * type.pricePerHourUsd),
            idleGpus: 0,
            idleGpuPricePerHourUsd: 0,
        };
    }
}

/** Whether a cluster's control plane is billed to this stack: EKS clusters it creates, and the simulation of one. */
export function billsControlPlane(cluster: ClusterConfig): boolean {
    return cluster.kind === "eks" ? cluster.create : cluster.simulated;
}

/**
 * The whole cluster's hourly cost from the planned node groups: GPU groups (the services'
 * shares plus idle GPUs), CPU groups, and the EKS control plane fee. On a simulated cluster
 * the figures are what EKS would charge for the same groups, and the plan says so.
 */
export function priceCluster(cluster: ClusterConfig, nodeGroups: readonly NodeGroupPlan[], gpuTotals: CapacityPlan): CapacityPlan {
    const sum = (kind: NodeGroupKind, value: (g: NodeGroupPlan) => number) =>
        nodeGroups.filter((g) => g.kind === kind && g.capacity).reduce((total, g) => total + value(g), 0);
    const gpuNodes = sum(NodeGroupKind.Gpu, (g) => g.capacity?.pricePerHourUsd ?? 0);
    const cpuNodes = sum(NodeGroupKind.Cpu, (g) => g.capacity?.pricePerHourUsd ?? 0);
    const controlPlane = billsControlPlane(cluster) ? eksControlPlanePricePerHourUsd : 0;
    return {
        ...gpuTotals,
        pricePerHourUsd: round(gpuNodes + cpuNodes + controlPlane),
        gpuNodesPricePerHourUsd: round(gpuNodes),
        cpuNodesPricePerHourUsd: round(cpuNodes),
        controlPlanePricePerHourUsd: controlPlane,
        idleGpus: sum(NodeGroupKind.Gpu, (g) => g.capacity?.idleGpus ?? 0),
        idleGpuPricePerHourUsd: round(sum(NodeGroupKind.Gpu, (g) => g.capacity?.idleGpuPricePerHourUsd ?? 0)),
        simulated: cluster.kind === "kubeconfig" && cluster.simulated,
    };
}

function round(value: number): number {
    return Math.round(value * 10_000) / 10_000;
}
