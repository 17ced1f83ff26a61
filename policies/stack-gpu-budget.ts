import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { catalogPriceDate, catalogRegion, findGpuInstanceType } from "../components/catalog/gpuInstances";
import { isNvidiaInstanceType, nodeGroupName } from "./lib/aws";
import { containerGpus, containers, describe, kubernetesObject, typeTokens, workload } from "./lib/kubernetes";
import { isUnknown, num, plain, record, str, strings, unknownValue } from "./lib/values";

/**
 * The autoscalers that bound a workload's replicas, by type: the `spec` field of the bound, and
 * what the autoscaler reads when it is left out (KEDA's default; an HPA requires it).
 */
const autoscalers: Record<string, { max: string; defaultMax?: number }> = {
    "kubernetes:keda.sh/v1alpha1:ScaledObject": { max: "maxReplicaCount", defaultMax: 100 },
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": { max: "maxReplicas" },
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler": { max: "maxReplicas" },
};

/** An autoscaler's target as a key: kind, namespace (the default one when absent) and name. */
function targetKey(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}/${namespace ?? "default"}/${name}`;
}

/** One row of the price table: GPUs of an instance and its price per hour. */
export interface InstancePrice {
    gpus?: number;
    pricePerHourUsd?: number;
}

export interface GpuBudgetConfig {
    /** Most GPUs the stack may run: its EKS node groups at desired size, and its pods × replicas. @default 16 */
    maxGpus?: number;
    /** Most its EKS GPU node groups may cost per hour at desired size. @default 100 */
    maxUsdPerHour?: number;
    /** Instance type → GPUs and price per hour, over the built-in table (components/catalog/data/gpu-instances.json). */
    instanceTypes?: Record<string, InstancePrice>;
}

export const gpuBudgetDefaults = { maxGpus: 16, maxUsdPerHour: 100 } as const;

/** The price table's row for an instance type: the config's override over the catalog. */
export function instancePrice(instanceType: string, overrides: Record<string, InstancePrice> = {}): Required<InstancePrice> | undefined {
    const catalog = findGpuInstanceType(instanceType);
    const gpus = overrides[instanceType]?.gpus ?? catalog?.gpus;
    const pricePerHourUsd = overrides[instanceType]?.pricePerHourUsd ?? catalog?.pricePerHourUsd;
    return gpus === undefined || pricePerHourUsd === undefined ? undefined : { gpus, pricePerHourUsd };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const usd = (n: number) => `$${n.toFixed(2)}`;

/**
 * A GPU budget across the stack: GPUs of the EKS node groups at their desired size and of
 * the pods (GPUs per pod × replicas, on any cluster), and what the node groups cost per
 * hour, from a price table (the GPU catalog, overridable in the pack's config).
 */
export const stackGpuBudget: StackValidationPolicy = {
    name: "stack-gpu-budget",
    description: "The stack's GPUs (EKS node groups at desired size; pods × replicas) and their hourly cost stay within a budget set in the pack's config.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            maxGpus: {
                type: "integer",
                minimum: 0,
                default: gpuBudgetDefaults.maxGpus,
                description: "Most GPUs the stack may run: its EKS node groups at desired size, and its pods × replicas.",
            },
            maxUsdPerHour: {
                type: "number",
                minimum: 0,
                default: gpuBudgetDefaults.maxUsdPerHour,
                description: `Most the stack's EKS GPU node groups may cost per hour at desired size (built-in prices: ${catalogRegion} on-demand, ${catalogPriceDate}).`,
            },
            instanceTypes: {
                type: "object",
                description: "Instance type → {gpus, pricePerHourUsd}, over the built-in price table (for other regions, discounts or types it lacks).",
                additionalProperties: {
                    type: "object",
                    properties: { gpus: { type: "integer", minimum: 0 }, pricePerHourUsd: { type: "number", minimum: 0 } },
                    additionalProperties: false,
                },
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<GpuBudgetConfig>();
        const maxGpus = config.maxGpus ?? gpuBudgetDefaults.maxGpus;
        const maxUsdPerHour = config.maxUsdPerHour ?? gpuBudgetDefaults.maxUsdPerHour;
        const resources = args.resources.map((r: PolicyResource) => ({ r, props: plain(r.props) as Record<string, any> }));

        const groups: { name: string; nodes: number; instanceType: string; gpus: number; usdPerHour: number }[] = [];
        for (const { r, props } of resources.filter(({ r }) => r.type === typeTokens.eksNodeGroup)) {
            const nodes = num(record(props.scalingConfig)?.desiredSize);
            const name = nodeGroupName(props, r.name);
            const types = strings(props.instanceTypes);
            if (nodes === undefined || types.length === 0) {
                continue;
            }
            const priced = types.map((t) => ({ t, price: instancePrice(t, config.instanceTypes) }));
            const unpriced = priced.filter((p) => p.price === undefined && isNvidiaInstanceType(p.t)).map((p) => p.t);
            if (unpriced.length > 0) {
                reportViolation(
                    `EKS node group "${name}" runs ${unpriced.join(", ")}, which the GPU price table lacks, so the budget cannot be checked: add ${unpriced.map((t) => `"${t}": {"gpus": <GPUs>, "pricePerHourUsd": <price>}`).join(", ")} to instanceTypes in the stack-gpu-budget policy config.`,
                    r.urn,
                );
                continue;
            }
            // With several instance types the group may get any of them: count the dearest.
            const dearest = priced
                .filter((p): p is { t: string; price: Required<InstancePrice> } => p.price !== undefined && p.price.gpus > 0)
                .sort((a, b) => b.price.pricePerHourUsd - a.price.pricePerHourUsd)[0];
            if (dearest) {
                groups.push({ name, nodes, instanceType: dearest.t, gpus: nodes * dearest.price.gpus, usdPerHour: nodes * dearest.price.pricePerHourUsd });
            }
        }

        // An autoscaled workload may run up to its autoscaler's bound: that is what the budget must hold.
        const scaledMax = new Map<string, number>();
        // A kind, namespace, name or bound unknown during preview matches nothing yet: the check runs again, with every value known, at the update.
        for (const { r, props } of resources.filter(({ r }) => Object.hasOwn(autoscalers, r.type))) {
            const spec = record(props.spec);
            const target = record(spec?.scaleTargetRef);
            const namespace = kubernetesObject(r.type, props, r.name)?.namespace;
            const [kind, name, max] = [target?.kind, str(target?.name), spec?.[autoscalers[r.type].max]];
            const bound = num(max) ?? autoscalers[r.type].defaultMax;
            if (name !== undefined && bound !== undefined && !isUnknown(namespace) && !isUnknown(kind) && !isUnknown(max)) {
                // KEDA reads an empty kind as unset (a Deployment); of two autoscalers on one workload, the larger bound holds.
                const key = targetKey(str(kind) || "Deployment", namespace, name);
                scaledMax.set(key, Math.max(bound, scaledMax.get(key) ?? 0));
            }
        }
        const pods: { name: string; replicas: number; gpusPerPod: number }[] = [];
        for (const { r, props } of resources) {
            const w = workload(r.type, props, r.name);
            if (!w || isUnknown(w.podSpec) || w.replicas === undefined) {
                continue;
            }
            const name = isUnknown(props.metadata) ? unknownValue : props.metadata?.name;
            const peak = isUnknown(w.namespace) || isUnknown(name) ? undefined : scaledMax.get(targetKey(w.kind, w.namespace, str(name) ?? ""));
            const replicas = Math.max(w.replicas, peak ?? 0);
            const all = containers(w.podSpec);
            const gpus = all.map((c) => containerGpus(c));
            if (gpus.includes(undefined)) {
                continue;
            }
            // A pod holds the larger of its containers' sum and its largest init container.
            const appGpus = all.reduce((sum, c, i) => sum + (c.role === "container" ? (gpus[i] ?? 0) : 0), 0);
            const initGpus = Math.max(0, ...all.map((c, i) => (c.role === "container" ? 0 : (gpus[i] ?? 0))));
            const gpusPerPod = Math.max(appGpus, initGpus);
            if (gpusPerPod > 0 && replicas > 0) {
                pods.push({ name: describe(w), replicas, gpusPerPod });
            }
        }

        // Listed by name: the engine hands a stack policy its resources in completion order.
        groups.sort((a, b) => a.name.localeCompare(b.name));
        pods.sort((a, b) => a.name.localeCompare(b.name));
        const fix = "lower the instances or GPUs of services (or the node groups' sizes), or raise";
        const nodeGpus = groups.reduce((sum, g) => sum + g.gpus, 0);
        const groupList = groups.map((g) => `"${g.name}": ${g.nodes} × ${g.instanceType} = ${plural(g.gpus, "GPU")}, ${usd(g.usdPerHour)}/hour`).join("; ");
        if (nodeGpus > maxGpus) {
            reportViolation(`The stack's EKS node groups run ${plural(nodeGpus, "GPU")} at their desired sizes (${groupList}), over the budget of ${maxGpus}: ${fix} maxGpus in the stack-gpu-budget policy config.`);
        }
        const usdPerHour = groups.reduce((sum, g) => sum + g.usdPerHour, 0);
        if (usdPerHour > maxUsdPerHour) {
            reportViolation(
                `The stack's EKS node groups cost ${usd(usdPerHour)}/hour at their desired sizes (${groupList}), over the budget of ${usd(maxUsdPerHour)}/hour: ${fix} maxUsdPerHour in the stack-gpu-budget policy config.`,
            );
        }
        const podGpus = pods.reduce((sum, p) => sum + p.replicas * p.gpusPerPod, 0);
        if (podGpus > maxGpus) {
            const podList = pods.map((p) => `${p.name}: ${p.replicas} × ${plural(p.gpusPerPod, "GPU")}`).join("; ");
            reportViolation(`The stack's pods request ${plural(podGpus, "GPU")} (${podList}), over the budget of ${maxGpus}: ${fix} maxGpus in the stack-gpu-budget policy config.`);
        }
    },
};
