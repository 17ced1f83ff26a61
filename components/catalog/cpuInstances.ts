import catalog from "./data/cpu-instances.json";
import eniLimits from "./data/eni-limits.json";

/** One EC2 CPU instance type for system node groups. Figures are approximate; see the data file. */
export interface CpuInstanceType {
    instanceType: string;
    family: string;
    vcpus: number;
    memoryGiB: number;
    /** Approximate on-demand price per hour, in the catalog's region. */
    pricePerHourUsd: number;
}

export const cpuInstanceTypes: readonly CpuInstanceType[] = catalog.instanceTypes;

/** The EKS control plane's fee per cluster-hour (Kubernetes version in standard support), in the catalog's region. */
export const eksControlPlanePricePerHourUsd: number = catalog.eksControlPlanePricePerHourUsd;

const byName = new Map(cpuInstanceTypes.map((t) => [t.instanceType, t]));

export function findCpuInstanceType(instanceType: string): CpuInstanceType | undefined {
    return byName.get(instanceType);
}

/** The catalog's CPU families, in its order. */
export function cpuFamilies(): string[] {
    return [...new Set(cpuInstanceTypes.map((t) => t.family))];
}

/** ENIs and IPv4 addresses per ENI of an instance type's default network card, as the EKS node bootstrap reads them. */
export interface EniLimits {
    enis: number;
    ipv4PerEni: number;
}

const eni: Readonly<Record<string, EniLimits>> = eniLimits.instanceTypes;

/** The ENI limits of a catalog instance type (GPU or CPU); undefined outside the catalogs. */
export function findEniLimits(instanceType: string): EniLimits | undefined {
    return eni[instanceType];
}
