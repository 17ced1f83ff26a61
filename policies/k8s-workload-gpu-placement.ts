import { ResourceValidationPolicy } from "@pulumi/policy";
import { gpuResource, gpuTaint, nodeGroupLabel } from "../components/conventions";
import { containerGpus, containers, describe, describeContainer, isVllmContainer, resourceList, workloadOfResource } from "./lib/kubernetes";
import { isUnknown, list, record, str } from "./lib/values";

export interface GpuPlacementConfig {
    /** Node labels a GPU pod may select its nodes by. @default ["model-services.io/node-group"] */
    gpuNodeLabels?: string[];
}

export const gpuPlacementDefaults = { gpuNodeLabels: [nodeGroupLabel] } as const;

const taint = `${gpuTaint.key}=${gpuTaint.value}:${gpuTaint.effect}`;

/** Whether a toleration admits the GPU taint; undefined when it is not known yet. */
function toleratesGpuTaint(toleration: unknown): boolean | undefined {
    const t = record(toleration);
    if (!t || [t.key, t.operator, t.value, t.effect].some(isUnknown)) {
        return undefined;
    }
    const operator = str(t.operator) ?? "Equal";
    const key = str(t.key) ?? "";
    const keyMatches = key === gpuTaint.key || (key === "" && operator === "Exists");
    const valueMatches = operator === "Exists" || str(t.value) === gpuTaint.value;
    const effect = str(t.effect) ?? "";
    return keyMatches && valueMatches && (effect === "" || effect === gpuTaint.effect);
}

/** The GPU node labels a pod spec requires its nodes to carry (node selector or required node affinity); undefined when unknown. */
function gpuNodeSelection(podSpec: Record<string, any>, labels: readonly string[]): string[] | undefined {
    const nodeSelector = podSpec.nodeSelector;
    if (isUnknown(nodeSelector) || isUnknown(podSpec.affinity)) {
        return undefined;
    }
    const selected = Object.keys(record(nodeSelector) ?? {}).filter((k) => labels.includes(k));
    const terms = list(record(record(record(podSpec.affinity)?.nodeAffinity)?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms);
    // Terms are alternatives: the affinity only confines the pod when every term names a GPU label.
    const termLabels = terms.map((term) =>
        list(record(term)?.matchExpressions)
            .filter((e) => ["In", "Exists"].includes(str(record(e)?.operator) ?? ""))
            .map((e) => str(record(e)?.key) ?? "")
            .filter((k) => labels.includes(k)),
    );
    if (terms.length > 0 && termLabels.every((l) => l.length > 0)) {
        selected.push(...termLabels.flat());
    }
    return [...new Set(selected)];
}

/**
 * GPU pods ask for `nvidia.com/gpu` by limit, tolerate the GPU taint and select GPU nodes;
 * other pods do not tolerate the GPU taint, which keeps them off GPU nodes (DaemonSets
 * excepted: node agents such as the device plugin must run there).
 */
export const k8sWorkloadGpuPlacement: ResourceValidationPolicy = {
    name: "k8s-workload-gpu-placement",
    description:
        "GPU workloads request nvidia.com/gpu limits, tolerate the GPU taint and select GPU nodes; workloads without GPUs do not tolerate the GPU taint.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            gpuNodeLabels: {
                type: "array",
                items: { type: "string" },
                default: [...gpuPlacementDefaults.gpuNodeLabels],
                description: "Node labels a GPU pod may select its nodes by (nodeSelector or required node affinity).",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const w = workloadOfResource(args);
        if (!w) {
            return;
        }
        const labels = args.getConfig<GpuPlacementConfig>().gpuNodeLabels ?? gpuPlacementDefaults.gpuNodeLabels;
        const spec = w.podSpec;
        const all = containers(spec);
        const gpus = all.map((c) => containerGpus(c));
        const gpuContainers = all.filter((c, i) => (gpus[i] ?? 0) > 0 || isVllmContainer(c));
        const tolerations = isUnknown(spec.tolerations) ? undefined : list(spec.tolerations).map(toleratesGpuTaint);
        const tolerates = tolerations === undefined || tolerations.includes(undefined) ? undefined : tolerations.includes(true);
        const selection = gpuNodeSelection(spec, labels);

        if (gpuContainers.length > 0) {
            for (const c of gpuContainers) {
                const count = containerGpus(c);
                const limits = resourceList(c, "limits");
                if (count === 0) {
                    reportViolation(
                        `${describeContainer(c, w)} runs vLLM without a GPU: set resources.limits["${gpuResource}"] to its tensor-parallel size (the number of GPUs it serves on).`,
                    );
                } else if (count !== undefined && !isUnknown(limits) && limits[gpuResource] === undefined) {
                    reportViolation(
                        `${describeContainer(c, w)} requests ${gpuResource} without a limit: set resources.limits["${gpuResource}"] to ${count} (Kubernetes allocates extended resources by their limit).`,
                    );
                }
            }
            if (tolerates === false) {
                reportViolation(
                    `${describe(w)} runs on GPUs but does not tolerate the GPU taint ${taint}, so it cannot be scheduled on GPU nodes: add the toleration {key: "${gpuTaint.key}", operator: "Exists", effect: "${gpuTaint.effect}"}.`,
                );
            }
            if (selection !== undefined && selection.length === 0) {
                reportViolation(
                    `${describe(w)} runs on GPUs but selects no GPU nodes: set spec.nodeSelector["${labels[0]}"] to the GPU node group it runs on (accepted labels: ${labels.join(", ")}).`,
                );
            }
            return;
        }
        if (gpus.includes(undefined) || w.kind === "DaemonSet") {
            return;
        }
        if (tolerates === true) {
            reportViolation(
                `${describe(w)} requests no GPU but tolerates the GPU taint ${gpuTaint.key}, so it can take the CPU and memory of GPU nodes: remove the toleration (node agents that must run on every GPU node belong in a DaemonSet).`,
            );
        }
        // Selecting by the node-group label is how CPU workloads find the CPU groups too; without the
        // toleration the GPU taint keeps them off GPU nodes whatever they select.
    },
};

