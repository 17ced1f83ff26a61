import catalog from "./data/gpu-instances.json";

/** One EC2 GPU instance type, as the planner sees it. Figures are approximate; see the data file. */
export interface GpuInstanceType {
    instanceType: string;
    family: string;
    gpuModel: string;
    /** GPUs per instance. */
    gpus: number;
    /** Memory of one GPU. */
    gpuMemoryGiB: number;
    vcpus: number;
    memoryGiB: number;
    /** NVMe instance store of the whole instance, GB (what a node-local model cache can use). */
    instanceStoreGB: number;
    /** Approximate on-demand price per hour of the whole instance, in the catalog's region. */
    pricePerHourUsd: number;
    /** True when AWS lists no on-demand price for the region and the figure is an estimate. */
    priceEstimated?: boolean;
}

/** A GPU model's memory: the marketing figure and what nvidia-smi reports (the planner uses the latter). */
export interface GpuModelMemory {
    nominalGB: number;
    nvidiaSmiMiB: number;
    source: string;
}

/** Region and date the catalog's prices were read for. */
export const catalogRegion: string = catalog.region;
export const catalogPriceDate: string = catalog.priceDate;

export const gpuInstanceTypes: readonly GpuInstanceType[] = catalog.instanceTypes;

/** Memory of each GPU model in the catalog, with its source. */
export const gpuModels: Readonly<Record<string, GpuModelMemory>> = catalog.gpuModels;

const byName = new Map(gpuInstanceTypes.map((t) => [t.instanceType, t]));

export function findGpuInstanceType(instanceType: string): GpuInstanceType | undefined {
    return byName.get(instanceType);
}

/** The family of an instance type name (`g6e.12xlarge` → `g6e`). */
export function instanceFamily(instanceType: string): string {
    return instanceType.split(".")[0];
}

export function gpuInstanceTypesOfFamily(family: string): GpuInstanceType[] {
    return gpuInstanceTypes.filter((t) => t.family === family);
}

/** The catalog's families, in catalog order. */
export function gpuFamilies(): string[] {
    return [...new Set(gpuInstanceTypes.map((t) => t.family))];
}

/** Price of one GiB of GPU memory for an hour on an instance type. */
export function pricePerGpuGiBHour(type: GpuInstanceType): number {
    return type.pricePerHourUsd / (type.gpus * type.gpuMemoryGiB);
}
