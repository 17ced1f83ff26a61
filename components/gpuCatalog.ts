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
    /** Approximate on-demand price per hour of the whole instance, in the catalog's region. */
    pricePerHourUsd: number;
}

/** Region and date the catalog's prices were read for. */
export const catalogRegion: string = catalog.region;
export const catalogPriceDate: string = catalog.priceDate;

export const gpuInstanceTypes: readonly GpuInstanceType[] = catalog.instanceTypes;

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
