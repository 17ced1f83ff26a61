import { gpuResource, nodeGroupLabel } from "../../components/conventions";
import { probeTiming } from "../../components/plan/servicePlan";
import { NodeGroupOutput, ServiceOutput } from "../stack";
import { ContainerStatus, Deployment, KubeEvent, Node, Pod } from "./kubeTypes";

/**
 * Why a service is or is not running, from the objects Kubernetes itself keeps: the
 * Deployment's counts, each pod's phase, conditions and container states, the scheduler's
 * FailedScheduling events and the nodes of each node group. Pure: objects and a clock in,
 * a status out.
 */

/** A service's state, worst first among pods: what a user has to act on. */
export const ServiceState = {
    Running: "running",
    Stopped: "stopped",
    NotDeployed: "not-deployed",
    CrashLoop: "crash-loop",
    Failed: "failed",
    ImagePullError: "image-pull-error",
    WaitingForGpu: "waiting-for-gpu",
    PullingImage: "pulling-image",
    LoadingModel: "loading-model",
    Starting: "starting",
} as const;
export type ServiceState = (typeof ServiceState)[keyof typeof ServiceState];

/** Severity order: the worst pod's state is the service's. */
const severity: ServiceState[] = [
    ServiceState.CrashLoop,
    ServiceState.Failed,
    ServiceState.ImagePullError,
    ServiceState.WaitingForGpu,
    ServiceState.PullingImage,
    ServiceState.LoadingModel,
    ServiceState.Starting,
];

export interface ServiceStatus {
    name: string;
    displayName: string;
    accessName: string;
    serviceId: string;
    model: string;
    /** Instances the Deployment asks for now. */
    desired: number;
    ready: number;
    state: ServiceState;
    /** Plain-language reason when not running. */
    reason?: string;
}

export interface PodVerdict {
    state: ServiceState;
    reason: string;
}

export interface NodeGroupStatus {
    name: string;
    instanceType: string;
    nodes: number;
    maxSize: number;
    gpusTotal: number;
    gpusUsed: number;
    gpusFree: number;
}

/** `4m 10s`, `1h 02m`: elapsed times in the reasons. */
export function formatDuration(seconds: number): string {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
    return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** The startup budget a pod's own startup probe gives, else the platform's. */
export function startupBudgetSeconds(pod: Pod): number {
    const probe = pod.spec?.containers?.[0]?.startupProbe;
    if (!probe) return probeTiming.startupSeconds;
    return (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3);
}

/** What to do about a container's last termination. */
export function terminationHint(reason: string | undefined, podName: string, namespace: string): string {
    if (reason === "OOMKilled") {
        return "the pod ran out of memory loading the model: lower maxModelLen or add GPUs (services[].gpus)";
    }
    return `see kubectl logs --previous -n ${namespace} ${podName}`;
}

function eventTime(e: KubeEvent): number {
    return Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? "") || 0;
}

/** The newest event of a pod with one of the reasons. */
function latestEvent(events: KubeEvent[], podName: string, reasons: string[]): KubeEvent | undefined {
    return events
        .filter((e) => e.involvedObject?.kind === "Pod" && e.involvedObject.name === podName && reasons.includes(e.reason ?? ""))
        .sort((a, b) => eventTime(b) - eventTime(a))[0];
}

/** The scheduler's sentence up to its preemption note: `0/6 nodes are available: 2 Insufficient nvidia.com/gpu, …`. */
export function schedulerSummary(message: string): string {
    return message.split(/\.\s+(?:no new claims|preemption:)/)[0].replace(/\.$/, "");
}

function exitText(t: NonNullable<ContainerStatus["state"]>["terminated"]): string {
    return `${t?.reason ?? "exited"} (exit code ${t?.exitCode ?? "?"})${t?.message ? `: ${t.message.trim()}` : ""}`;
}

/** One pod that is not ready: why. */
export function classifyPod(pod: Pod, events: KubeEvent[], groups: NodeGroupStatus[], now: Date): PodVerdict {
    const name = pod.metadata.name;
    const namespace = pod.metadata.namespace ?? "";
    const container = pod.status?.containerStatuses?.[0];

    if (pod.status?.phase === "Failed") {
        const t = container?.state?.terminated;
        return { state: ServiceState.Failed, reason: `instance failed: ${t ? exitText(t) : (pod.status.reason ?? "Failed")}${t ? `; ${terminationHint(t.reason, name, namespace)}` : ""}` };
    }

    const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (!pod.spec?.nodeName && scheduled?.status === "False") {
        const event = latestEvent(events, name, ["FailedScheduling"]);
        const message = schedulerSummary(event?.message ?? scheduled.message ?? "no node fits");
        const group = groups.find((g) => g.name === pod.spec?.nodeSelector?.[nodeGroupLabel]);
        const autoscaler = latestEvent(events, name, ["NotTriggerScaleUp"]);
        const atMax = group && (group.nodes >= group.maxSize || /max node group size reached/.test(autoscaler?.message ?? ""));
        const full = atMax ? `; node group ${group.name} is at maxSize ${group.maxSize} with ${group.gpusFree} GPU(s) free: raise its maxSize, or lower instances or gpus` : "";
        return { state: ServiceState.WaitingForGpu, reason: `waiting for a GPU node: ${message}${full}` };
    }

    if (container) {
        const waiting = container.state?.waiting;
        const last = container.lastState?.terminated;
        if (waiting?.reason === "CrashLoopBackOff" || (last && !container.state?.running)) {
            const restarts = container.restartCount ?? 0;
            const lastText = last ? `last exit ${exitText(last)}` : "no termination recorded";
            return { state: ServiceState.CrashLoop, reason: `crash loop (${restarts} restart${restarts === 1 ? "" : "s"}): ${lastText}; ${terminationHint(last?.reason, name, namespace)}` };
        }
        if (waiting?.reason === "ErrImagePull" || waiting?.reason === "ImagePullBackOff" || waiting?.reason === "InvalidImageName") {
            return { state: ServiceState.ImagePullError, reason: `cannot pull image ${container.image ?? ""}: ${waiting.message ?? waiting.reason}`.replace("  ", " ") };
        }
        const running = container.state?.running;
        if (running && container.started === false) {
            const elapsed = (now.getTime() - Date.parse(running.startedAt ?? "")) / 1000;
            return {
                state: ServiceState.LoadingModel,
                reason: `downloading/loading the model: ${formatDuration(Number.isFinite(elapsed) ? elapsed : 0)} of the ${formatDuration(startupBudgetSeconds(pod))} startup budget`,
            };
        }
        if (running) {
            return { state: ServiceState.Starting, reason: "model loaded; readiness probe not passing yet" };
        }
    }

    const pulling = latestEvent(events, name, ["Pulling"]);
    if (pulling && !latestEvent(events, name, ["Pulled"])) {
        const image = pod.spec?.containers?.[0]?.image ?? "";
        return { state: ServiceState.PullingImage, reason: `pulling image ${image}` };
    }
    return { state: ServiceState.Starting, reason: container?.state?.waiting?.reason ? `starting: ${container.state.waiting.reason}` : "starting" };
}

/** How far back failed instances count as the service failing now. */
export const recentFailureSeconds = 600;

function failedAt(pod: Pod): number {
    const t = pod.status?.containerStatuses?.[0]?.state?.terminated;
    return Date.parse(t?.finishedAt ?? pod.metadata.creationTimestamp ?? "") || 0;
}

function isReady(pod: Pod): boolean {
    return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** A service's live status from its Deployment and pods. */
export function classifyService(service: ServiceOutput, deployment: Deployment | undefined, pods: Pod[], events: KubeEvent[], groups: NodeGroupStatus[], now: Date): ServiceStatus {
    const base = { name: service.name, displayName: service.displayName ?? service.name, accessName: service.accessName, serviceId: service.serviceId, model: service.baseModel };
    if (!deployment) {
        return { ...base, desired: service.instances, ready: 0, state: ServiceState.NotDeployed, reason: "not deployed: no Deployment in the cluster; run pulumi up" };
    }
    const desired = deployment.spec?.replicas ?? 1;
    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    const ready = live.filter(isReady).length;
    if (desired === 0) {
        return { ...base, desired, ready, state: ServiceState.Stopped, reason: "stopped (instances: 0)" };
    }
    // Failed pods stay listed after the ReplicaSet replaced them: recent ones mean the service flaps.
    const failed = live.filter((p) => p.status?.phase === "Failed" && now.getTime() - failedAt(p) <= recentFailureSeconds * 1000).sort((a, b) => failedAt(b) - failedAt(a));
    if (failed.length >= 2) {
        const last = classifyPod(failed[0], events, groups, now).reason.replace(/^instance failed: /, "");
        return { ...base, desired, ready, state: ServiceState.Failed, reason: `instances keep failing (${failed.length} in the last ${formatDuration(recentFailureSeconds)}): last ${last}` };
    }
    if (ready >= desired) {
        const note = failed.length === 1 ? `1 instance failed ${formatDuration((now.getTime() - failedAt(failed[0])) / 1000)} ago and was replaced: ${classifyPod(failed[0], events, groups, now).reason.replace(/^instance failed: /, "")}` : undefined;
        return { ...base, desired, ready, state: ServiceState.Running, ...(note ? { reason: note } : {}) };
    }
    const verdicts = live.filter((p) => !isReady(p)).map((p) => classifyPod(p, events, groups, now));
    if (verdicts.length === 0) {
        const failure = deployment.status?.conditions?.find((c) => c.type === "ReplicaFailure" && c.status === "True");
        return { ...base, desired, ready, state: ServiceState.Starting, reason: failure?.message ?? `${desired - ready} instance(s) not created yet` };
    }
    verdicts.sort((a, b) => severity.indexOf(a.state) - severity.indexOf(b.state));
    const worst = verdicts[0];
    const same = verdicts.filter((v) => v.state === worst.state).length;
    const count = verdicts.length > 1 ? ` [${same} of ${verdicts.length} waiting instances]` : "";
    return { ...base, desired, ready, state: worst.state, reason: `${worst.reason}${count}` };
}

function quantity(value: string | undefined): number {
    return value === undefined ? 0 : Number(value) || 0;
}

/** GPUs of each node group: allocatable on its nodes, requested by pods bound to them. */
export function nodeGroupStatus(groups: NodeGroupOutput[], nodes: Node[], pods: Pod[]): NodeGroupStatus[] {
    return groups.map((g) => {
        const members = nodes.filter((n) => n.metadata.labels?.[nodeGroupLabel] === g.name);
        const names = new Set(members.map((n) => n.metadata.name));
        const gpusTotal = members.reduce((sum, n) => sum + quantity(n.status?.allocatable?.[gpuResource]), 0);
        const gpusUsed = pods
            .filter((p) => p.spec?.nodeName && names.has(p.spec.nodeName) && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed")
            .reduce((sum, p) => sum + (p.spec?.containers ?? []).reduce((s, c) => s + quantity(c.resources?.requests?.[gpuResource] ?? c.resources?.limits?.[gpuResource]), 0), 0);
        return { name: g.name, instanceType: g.instanceType, nodes: members.length, maxSize: g.maxSize, gpusTotal, gpusUsed, gpusFree: gpusTotal - gpusUsed };
    });
}
