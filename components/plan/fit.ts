import { GpuInstanceType, gpuInstanceTypes } from "../catalog/gpuInstances";
import { estimateFit, GpuFit, ResolvedModel, ServingOptions } from "./footprint";
import { ShardedDimensions, tensorParallelProblem } from "./vllmRules";

/**
 * Searching for fits: which tensor-parallel sizes a node offers, the smallest that holds a
 * model and its context, and the catalog instance type where a service costs least.
 */

/**
 * The tensor-parallel sizes the planner chooses from on a node: powers of two that divide
 * its GPU count and, for a model, that vLLM accepts (vllmRules.tensorParallelProblem).
 */
export function tensorParallelSizes(gpusPerNode: number, model?: ShardedDimensions): number[] {
    const sizes: number[] = [];
    for (let tp = 1; tp <= gpusPerNode; tp *= 2) {
        if (gpusPerNode % tp === 0 && (!model || tensorParallelProblem(model, tp) === undefined)) {
            sizes.push(tp);
        }
    }
    return sizes;
}

/** True when a fit holds a request of `context` tokens (always, when the context or the geometry is unknown). */
export function fitsContext(fit: GpuFit, context: number | undefined): boolean {
    return fit.weightsFit && (context === undefined || fit.maxContext === undefined || fit.maxContext >= context);
}

/**
 * The smallest tensor-parallel size of `type` (a power of two dividing its GPUs, that vLLM accepts for the model) at which
 * the model's weights and a request of `context` tokens fit; undefined when none does.
 */
export function smallestFit(model: ResolvedModel, type: GpuInstanceType, opts: ServingOptions = {}, context?: number): GpuFit | undefined {
    for (const tp of tensorParallelSizes(type.gpus, model)) {
        const fit = estimateFit(model, type, tp, opts);
        if (fitsContext(fit, context)) {
            return fit;
        }
    }
    return undefined;
}

/** One row of a model's footprint table: the smallest fit on an instance type, or the reason there is none. */
export interface InstanceTypeFootprint {
    type: GpuInstanceType;
    /** Smallest tensor-parallel size where weights and the requested context fit. */
    fit?: GpuFit;
    /** The largest tensor-parallel size the type offers, for the largest context it could hold. */
    largest: GpuFit;
    /** What one instance costs per hour on this type: its GPUs' share of the node's price. */
    pricePerHourUsd?: number;
}

/** GPUs needed per instance and the largest context that fits, for every catalog instance type. */
export function footprintByInstanceType(
    model: ResolvedModel,
    opts: ServingOptions = {},
    context?: number,
    types: readonly GpuInstanceType[] = gpuInstanceTypes,
): InstanceTypeFootprint[] {
    return types.map((type) => {
        const fit = smallestFit(model, type, opts, context);
        const largest = estimateFit(model, type, type.gpus, opts);
        return { type, fit, largest, pricePerHourUsd: fit ? (type.pricePerHourUsd * fit.gpus) / type.gpus : undefined };
    });
}

/**
 * The catalog instance type where `instances` instances of the model cost least, counting
 * whole nodes (a one-instance service on an 8-GPU node pays for all eight), each holding
 * the weights and `context`; ties go to the smaller per-instance share, then fewer GPUs.
 */
export function cheapestFit(
    model: ResolvedModel,
    opts: ServingOptions = {},
    context?: number,
    instances = 1,
    types: readonly GpuInstanceType[] = gpuInstanceTypes,
): InstanceTypeFootprint | undefined {
    let best: { row: InstanceTypeFootprint; rank: number[] } | undefined;
    for (const row of footprintByInstanceType(model, opts, context, types)) {
        if (!row.fit) {
            continue;
        }
        const perNode = Math.floor(row.type.gpus / row.fit.gpus);
        const rank = [Math.ceil(Math.max(1, instances) / perNode) * row.type.pricePerHourUsd, row.pricePerHourUsd ?? Infinity, row.fit.gpus];
        if (!best || compareRanks(rank, best.rank) < 0) {
            best = { row, rank };
        }
    }
    return best?.row;
}

/** Orders rank tuples lexicographically: negative when `a` ranks first. */
export function compareRanks(a: readonly number[], b: readonly number[]): number {
    const i = a.findIndex((v, j) => v !== b[j]);
    return i < 0 ? 0 : a[i] - b[i];
}
