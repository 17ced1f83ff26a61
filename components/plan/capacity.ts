import { catalogPriceDate, catalogRegion, findGpuInstanceType, GpuInstanceType, gpuInstanceTypesOfFamily } from "../catalog/gpuInstances";
import { IssueList } from "../config/issues";
import { cheapestFit, compareRanks, fitsContext, smallestFit, tensorParallelSizes } from "./fit";
import { estimateFit, GpuFit, requestedContext, ResolvedModel, resolveModel, ServingOptions, servingOptions, weightBytes } from "./footprint";
import { CapacityPlan, NodeGroupPlan, ServicePlan } from "./types";
import { pinnedVllmVersion, tensorParallelProblem, validTensorParallelSizes } from "./vllmRules";

/**
 * Nodes needed to place `pods` (each asking for some GPUs) on nodes of `gpusPerNode` GPUs:
 * first-fit decreasing, which is exact when every request divides the node's GPUs and
 * never under-counts when one does not (three 3-GPU pods need three 4-GPU nodes, not
 * the ⌈9 ÷ 4⌉ = 3 that happens to agree, but five need five, not four).
 */
export function nodesNeeded(podGpus: readonly number[], gpusPerNode: number): number {
    const sorted = podGpus.filter((gpus) => gpus > 0).sort((a, b) => b - a);
    if (sorted[0] > gpusPerNode) {
        return Infinity;
    }
    // First fit with a max-tree over the nodes' free GPUs: the leftmost node with room is
    // found in O(log n), so thousands of pods are placed in a few milliseconds. Nodes
    // not yet opened count as empty, so the leftmost one is opened when no open node has room.
    let leaves = 1;
    while (leaves < sorted.length) {
        leaves *= 2;
    }
    const free = new Array<number>(2 * leaves).fill(gpusPerNode);
    let opened = 0;
    for (const gpus of sorted) {
        let i = 1;
        while (i < leaves) {
            i = free[2 * i] >= gpus ? 2 * i : 2 * i + 1;
        }
        free[i] -= gpus;
        opened = Math.max(opened, i - leaves + 1);
        for (i >>= 1; i >= 1; i >>= 1) {
            free[i] = Math.max(free[2 * i], free[2 * i + 1]);
        }
    }
    return opened;
}

/** The GPU requests of every pod a set of services runs. */
export function podGpuRequests(services: readonly { instances: number; gpus: number }[]): number[] {
    return services.flatMap((s) => Array.from({ length: s.instances }, () => s.gpus));
}

/** A service as the planner sizes it. */
interface Placement {
    service: ServicePlan;
    /** Index in `services[]`, for messages. */
    index: number;
    /** Undefined when the model is unknown (reported once). */
    model?: ResolvedModel;
    opts: ServingOptions;
    /** The context vLLM will be asked for; undefined when it cannot be checked. */
    context?: number;
}

/** How a service does on one instance type. */
interface Sizing {
    /** GPUs per instance: the service's own, or the planner's choice. */
    gpus: number;
    fit?: GpuFit;
    /** fits; context = weights fit, the context does not; weights = they do not; gpus = more GPUs than a node has; tp = a GPU count vLLM refuses for the model; unknown = model unknown. */
    status: "fits" | "context" | "weights" | "gpus" | "tp" | "unknown";
}

/** Sizes one service on an instance type: checks its `gpus`, or picks the smallest tensor-parallel size that fits. */
function sizeOnType(p: Placement, type: GpuInstanceType): Sizing {
    const s = p.service;
    if (!s.gpusChosen) {
        if (s.gpus > type.gpus) {
            return { gpus: s.gpus, status: "gpus" };
        }
        if (!p.model) {
            return { gpus: s.gpus, status: "unknown" };
        }
        if (tensorParallelProblem(p.model, s.gpus)) {
            return { gpus: s.gpus, status: "tp" };
        }
        const fit = estimateFit(p.model, type, s.gpus, p.opts);
        return { gpus: s.gpus, fit, status: !fit.weightsFit ? "weights" : fitsContext(fit, p.context) ? "fits" : "context" };
    }
    if (!p.model) {
        return { gpus: 1, status: "unknown" };
    }
    const fits = tensorParallelSizes(type.gpus, p.model).map((tp) => estimateFit(p.model as ResolvedModel, type, tp, p.opts));
    const full = fits.find((f) => fitsContext(f, p.context));
    if (full) {
        return { gpus: full.gpus, fit: full, status: "fits" };
    }
    const loaded = fits.filter((f) => f.weightsFit);
    // Weights fit but the context does not anywhere: take the size with the most room for it.
    const best = loaded.length > 0 ? loaded[loaded.length - 1] : fits[fits.length - 1];
    return { gpus: best.gpus, fit: best, status: loaded.length > 0 ? "context" : "weights" };
}

/**
 * Sizes the GPU side of a plan under construction and returns its totals: each node group's
 * instance type (the cheapest of its family that holds every service placed on it, when only
 * a family is given) and GPUs per node; each service's fit on its group's GPUs (weights,
 * runtime overhead and the KV cache of its context), its `gpus` when the config left them
 * to the planner (the smallest power-of-two tensor-parallel size that fits), GPU count and
 * cost; each group's desired size from the GPU demand placed on it. It fills in the drafts
 * `planPlatform` made (never a config object); problems go to `issues`.
 */
export function planCapacity(services: ServicePlan[], nodeGroups: NodeGroupPlan[], issues: IssueList): CapacityPlan {
    // Adapter services run in their base's pods: they ask for no GPUs of their own.
    const placements: Placement[] = services.flatMap((service, index) => {
        if (service.base !== undefined) {
            return [];
        }
        const model = resolveModel(service.model, service.architecture, service.task);
        if (!model) {
            issues.add(
                `services[${index}].model`,
                service.model,
                "is not in the planner's model catalog, so its GPU memory cannot be estimated",
                "state its size under architecture: paramsBillions (and layers, kvHeads, headDim, maxContext from its config.json to check the context length), or use a catalog model (`npm run plan -- --models` lists them)",
            );
        }
        return [{ service, index, model, opts: servingOptions(service), context: model ? requestedContext(model, service.maxModelLen) : undefined }];
    });

    const plan: CapacityPlan = {
        totalGpus: 0,
        requestedGpus: 0,
        pricePerHourUsd: 0,
        // The rest of the cost (CPU groups, control plane, idle GPUs) is `priceCluster`'s.
        gpuNodesPricePerHourUsd: 0,
        cpuNodesPricePerHourUsd: 0,
        controlPlanePricePerHourUsd: 0,
        idleGpus: 0,
        idleGpuPricePerHourUsd: 0,
        simulated: false,
        priceRegion: catalogRegion,
        priceDate: catalogPriceDate,
    };
    nodeGroups.forEach((group, g) => {
        const placed = placements.filter((p) => p.service.nodeGroup === group.name);
        if (group.instanceTypeChosen) {
            const family = group.family!; // the config requires one where it leaves the type out
            const chosen = chooseInstanceType(group, family, placed);
            if (!chosen) {
                reportFamilyMisfit(issues, family, group, g, placed);
                return;
            }
            group.instanceType = chosen.instanceType;
        }
        const type = findGpuInstanceType(group.instanceType);
        if (!type) {
            return;
        }
        group.gpusPerNode = type.gpus;
        let fits = true;
        for (const p of placed) {
            const sizing = sizeOnType(p, type);
            if (p.service.gpusChosen) {
                p.service.gpus = sizing.gpus;
            }
            if (sizing.status !== "fits" && sizing.status !== "unknown") {
                fits = false;
                reportMisfit(issues, p, group, type, sizing);
            }
            if (p.model && sizing.fit) {
                p.service.capacity = {
                    instanceType: type.instanceType,
                    gpuModel: type.gpuModel,
                    gpusPerInstance: p.service.gpus,
                    totalGpus: p.service.instances * p.service.gpus,
                    paramsBillions: p.model.paramsBillions,
                    modelFactsFrom: p.model.factsFrom,
                    weightsGiBPerGpu: round(sizing.fit.weightsGiBPerGpu),
                    kvCacheGiBPerGpu: round(sizing.fit.kvCacheGiBPerGpu),
                    contextLength: p.context,
                    maxContextThatFits: sizing.fit.maxContext,
                    pricePerHourUsd: round((p.service.instances * p.service.gpus * type.pricePerHourUsd) / type.gpus, 4),
                };
            }
        }
        if (!fits) {
            return;
        }
        const needed = nodesNeeded(podGpuRequests(placed.map(({ service }) => service)), type.gpus);
        if (needed > group.maxSize) {
            const demand = placed
                .filter(({ service: s }) => s.instances > 0)
                .map(({ service: s }) => `${s.name} ${s.instances}×${s.gpus}`)
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
        const requestedGpus = placed.reduce((sum, { service: s }) => sum + s.instances * s.gpus, 0);
        group.capacity = {
            gpuModel: type.gpuModel,
            pricePerNodeHourUsd: type.pricePerHourUsd,
            totalGpus: group.desiredSize * type.gpus,
            requestedGpus,
            pricePerHourUsd: round(group.desiredSize * type.pricePerHourUsd, 4),
            idleGpus: group.desiredSize * type.gpus - requestedGpus,
            idleGpuPricePerHourUsd: round(((group.desiredSize * type.gpus - requestedGpus) * type.pricePerHourUsd) / type.gpus, 4),
        };
        plan.totalGpus += group.capacity.totalGpus;
        plan.requestedGpus += requestedGpus;
        plan.pricePerHourUsd += group.desiredSize * type.pricePerHourUsd;
    });
    plan.pricePerHourUsd = round(plan.pricePerHourUsd, 4);
    return plan;
}

/**
 * The size of a group's family that costs least for the services placed on it: every
 * service must fit (weights; then, preferably, its context too), and the cost is the
 * nodes first-fit decreasing needs (at least `minSize`) times the size's price, preferring
 * sizes whose node count stays within `maxSize`.
 */
function chooseInstanceType(group: NodeGroupPlan, family: string, placed: readonly Placement[]): GpuInstanceType | undefined {
    let best: { type: GpuInstanceType; rank: number[] } | undefined;
    for (const type of gpuInstanceTypesOfFamily(family)) {
        const sizings = placed.map((p) => sizeOnType(p, type));
        if (sizings.some((s) => s.status === "gpus" || s.status === "tp" || s.status === "weights")) {
            continue;
        }
        const pods = placed.flatMap((p, i) => Array.from({ length: p.service.instances }, () => sizings[i].gpus));
        const nodes = nodesNeeded(pods, type.gpus);
        const rank = [
            sizings.every((s) => s.status !== "context") ? 0 : 1,
            nodes <= group.maxSize ? 0 : 1,
            Math.max(group.minSize, nodes) * type.pricePerHourUsd,
            type.pricePerHourUsd,
        ];
        if (!best || compareRanks(rank, best.rank) < 0) {
            best = { type, rank };
        }
    }
    return best?.type;
}

/**
 * Why no size of a group's family works. A family's sizes differ only in how many of one GPU they
 * have, so a service that fits no size fits not the largest either, and its status there says why.
 */
function reportFamilyMisfit(issues: IssueList, family: string, group: NodeGroupPlan, g: number, placed: readonly Placement[]): void {
    const largest = gpuInstanceTypesOfFamily(family).reduce((a, b) => (b.gpus > a.gpus ? b : a));
    const explicit = placed.filter((p) => !p.service.gpusChosen).map((p) => p.service.gpus);
    if (explicit.some((gpus) => gpus > largest.gpus)) {
        issues.add(`nodeGroups[${g}].family`, family, `has no size with ${Math.max(...explicit)} GPUs per node`, "pick a family with larger sizes, or lower the services' gpus");
        return;
    }
    for (const p of placed) {
        const sizing = sizeOnType(p, largest);
        if (sizing.status === "tp") {
            reportMisfit(issues, p, group, largest, sizing);
        } else if (sizing.status === "weights") {
            const elsewhere = cheapestElsewhere(p);
            issues.add(
                `nodeGroups[${g}].family`,
                family,
                `has no size whose GPUs hold ${p.model!.id} (services[${p.index}], about ${gib(weightBytes(p.model!, p.opts) / 1024 ** 3)} GiB of weights)`,
                elsewhere ? `pick a family with more GPU memory: ${elsewhere}, or use a quantized checkpoint` : nothingFits,
            );
        }
    }
}

/** Reports a service that does not fit its group's instance type, naming what would. */
function reportMisfit(issues: IssueList, p: Placement, group: NodeGroupPlan, type: GpuInstanceType, sizing: Sizing): void {
    const s = p.service;
    const model = p.model as ResolvedModel;
    const fit = sizing.fit as GpuFit;
    const gpus = (n: number) => `${n} GPU${n === 1 ? "" : "s"}`;
    if (sizing.status === "gpus") {
        issues.add(
            `services[${p.index}].gpus`,
            s.gpus,
            `is more than one node of node group "${group.name}" has (${type.instanceType}: ${gpus(type.gpus)})`,
            `lower gpus to at most ${type.gpus}, or place the service on a node group with a larger instance type`,
        );
        return;
    }
    if (sizing.status === "tp") {
        // gpus 1 always divides, so only a service's own gpus gets here.
        issues.add(
            `services[${p.index}].gpus`,
            s.gpus,
            `is a tensor-parallel size the pinned vLLM (${pinnedVllmVersion}) refuses for ${model.id}: ${tensorParallelProblem(model, s.gpus)}`,
            `set gpus to one of ${validTensorParallelSizes(model, type.gpus).join(", ")} (the sizes up to ${type.instanceType}'s ${type.gpus} GPUs that divide the model), or leave it out and the planner picks one`,
        );
        return;
    }
    const elsewhere = cheapestElsewhere(p);
    if (sizing.status === "weights") {
        const need = `${gib(fit.weightsGiBPerGpu)} GiB of weights and ${gib(fit.overheadGiBPerGpu)} GiB of runtime overhead per GPU, more than the ${gib(fit.budgetGiBPerGpu)} GiB that gpuMemoryUtilization ${s.gpuMemoryUtilization} leaves of each ${type.gpuModel}`;
        const move = elsewhere ? `move it to a node group of ${elsewhere}, or use a quantized checkpoint` : nothingFits;
        if (s.gpusChosen) {
            issues.add(
                `services[${p.index}].nodeGroup`,
                s.nodeGroup,
                `places ${model.id} on ${type.instanceType} nodes, too small even with all ${gpus(type.gpus)} of a node: it needs about ${need}`,
                move,
            );
            return;
        }
        const larger = smallestFit(model, type, p.opts, p.context);
        issues.add(
            `services[${p.index}].gpus`,
            s.gpus,
            `is too few for ${model.id} on ${type.instanceType}: it needs about ${need}`,
            larger ? `raise gpus to ${larger.gpus}, the smallest that fits on ${type.instanceType}` : `no ${type.instanceType} node is big enough: ${move}`,
        );
        return;
    }
    const room = `with gpus ${sizing.gpus} on ${type.instanceType} (${type.gpuModel}), about ${gib(fit.kvCacheGiBPerGpu)} GiB per GPU is left for the KV cache, enough for ${fit.maxContext} tokens`;
    const larger = s.gpusChosen ? undefined : smallestFit(model, type, p.opts, p.context);
    const more = larger ? `, or raise gpus to ${larger.gpus}` : elsewhere ? `, or move the service to a node group of ${elsewhere}` : "";
    if (s.maxModelLen !== undefined) {
        issues.add(`services[${p.index}].maxModelLen`, s.maxModelLen, `is more than fits: ${room}`, `lower maxModelLen to at most ${fit.maxContext}${more}`);
    } else {
        issues.add(
            `services[${p.index}].maxModelLen`,
            undefined,
            `is not set, so vLLM would serve ${model.id}'s full ${p.context}-token context, more than fits: ${room}`,
            `set maxModelLen to at most ${fit.maxContext}${more}`,
        );
    }
}

const nothingFits = "no catalog instance type holds it: use a quantized checkpoint (quantization: awq or fp8) or a smaller model";

/** "g6e.xlarge (gpus: 1), the cheapest catalog instance type that fits": where one instance of the service costs least, or undefined when nothing holds it. */
function cheapestElsewhere(p: Placement): string | undefined {
    const cheapest = cheapestFit(p.model as ResolvedModel, p.opts, p.context, p.service.instances);
    return cheapest?.fit ? `${cheapest.type.instanceType} (gpus: ${cheapest.fit.gpus}), the cheapest catalog instance type that fits` : undefined;
}

function gib(value: number): string {
    return value.toFixed(1);
}

function round(value: number, digits = 2): number {
    const f = 10 ** digits;
    return Math.round(value * f) / f;
}
