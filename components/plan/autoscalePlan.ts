import { findGpuInstanceType } from "../catalog/gpuInstances";
import { IssueList } from "../config/issues";
import { nodesNeeded } from "./capacity";
import { deploymentStatus } from "./servicePlan";
import { NodeGroupPlan, ServicePlan } from "./types";

/**
 * Autoscaled services in the plan: the node group must hold every service at its
 * `autoscale.max` (the fit check of `planCapacity` sizes the group at rest, from `min`), and
 * each service gets the start-time estimate the gateway sends as `Retry-After` while it
 * scales up from zero.
 */

/**
 * What a cold start adds to the pod's own start (download, load, warm-up: the startup budget's
 * estimate, `startupBudget.ts`), in seconds. Activation: Prometheus' default 30 s scrape plus
 * KEDA's 30 s polling interval. A new GPU node: about 5 minutes on EKS from the pending pod to
 * a node whose device plugin advertises GPUs (Cluster Autoscaler's scan, EC2 launch, NVIDIA
 * AMI boot and join; docs/autoscaling.md has the sources).
 */
export const coldStart = {
    activationSeconds: 60,
    newNodeSeconds: 300,
} as const;

/** KEDA's polling interval, seconds: how often it evaluates a ScaledObject's triggers. */
export const kedaPollingSeconds = 30;

/**
 * Seconds from a request to a ready instance of a scaled-to-zero service, rounded up to 30 s:
 * activation, a new node when needed, and the pod's expected start (`startSeconds`: download +
 * load + warm-up for its source and cache, the same estimate the startup probe budget is made from).
 */
export function scaleUpEstimateSeconds(startSeconds: number, needsNewNode: boolean): number {
    const seconds = coldStart.activationSeconds + (needsNewNode ? coldStart.newNodeSeconds : 0) + startSeconds;
    return Math.ceil(seconds / 30) * 30;
}

/** The expected start of a service's pod from its startup budget (not the probe budget, which adds a safety margin). */
export function expectedStartSeconds(service: Pick<ServicePlan, "startup">): number {
    const start = service.startup;
    return start.downloadSeconds + start.loadSeconds + start.warmupSeconds;
}

/** Instances a service may run at most: `autoscale.max`, else its fixed `instances`. */
export function peakInstances(service: Pick<ServicePlan, "instances" | "autoscale">): number {
    return service.autoscale?.max ?? service.instances;
}

/**
 * Checks every autoscaled service's `max` against its node group's `maxSize` (with the other
 * services of the group at their own peaks) and fills in each `autoscale.scaleUpSeconds`.
 * Groups the capacity planner already reported (no capacity planned) are skipped.
 */
export function planAutoscale(services: ServicePlan[], nodeGroups: readonly NodeGroupPlan[], issues: IssueList): void {
    nodeGroups.forEach((group, g) => {
        const placed = services.map((service, index) => ({ service, index })).filter(({ service }) => service.nodeGroup === group.name);
        const type = findGpuInstanceType(group.instanceType);
        if (!type || !group.capacity || !placed.some(({ service }) => service.autoscale)) {
            return;
        }
        const atPeak = nodesNeeded(placed.flatMap(({ service }) => Array.from({ length: peakInstances(service) }, () => service.gpus)), type.gpus);
        if (atPeak > group.maxSize) {
            const { service, index } = [...placed].reverse().find(({ service: s }) => s.autoscale) as (typeof placed)[number];
            const peaks = placed.filter(({ service: s }) => peakInstances(s) > 0).map(({ service: s }) => `${s.name} ${peakInstances(s)}×${s.gpus}`);
            issues.add(
                `services[${index}].autoscale.max`,
                service.autoscale?.max,
                `needs more nodes than node group "${group.name}" may have: at their peaks the services on it (${peaks.join(", ")}) need ${atPeak} ${type.instanceType} nodes, and its maxSize is ${group.maxSize}`,
                `lower autoscale.max, or raise nodeGroups[${g}].maxSize to at least ${atPeak}`,
            );
        }
        // Room at rest: does the group's minSize already hold one more instance beyond every service's floor?
        const atRest = placed.flatMap(({ service }) => Array.from({ length: service.instances }, () => service.gpus));
        for (const { service } of placed) {
            if (!service.autoscale) {
                continue;
            }
            const needsNewNode = nodesNeeded([...atRest, service.gpus], type.gpus) > group.minSize;
            service.autoscale = { ...service.autoscale, scaleUpSeconds: scaleUpEstimateSeconds(expectedStartSeconds(service), needsNewNode) };
        }
    });
}

/** Status of an autoscaled service: `Scaled to zero` at 0 replicas (it starts on the next request), else as any Deployment. */
export function autoscaledStatus(replicas: number, ready: number | undefined): string {
    return replicas === 0 ? "Scaled to zero" : deploymentStatus(replicas, ready);
}
