import { AutoscaleMetric } from "../config/rules";
import { ServiceExamples } from "../plan/examples";
import { CapacityPlan } from "../plan/types";

/** The shapes of `ModelPlatform`'s outputs (the stack's `services`, `capacity` and `nodeGroups`). */

/** One row of the services table (the `services` stack output). */
export interface ServiceSummary {
    name: string;
    displayName: string;
    accessName: string;
    serviceId: string;
    baseModel: string;
    /** Adapter services: the base service whose pods serve it. */
    base?: string;
    /** Adapter services: the adapter's source. */
    adapter?: string;
    task: string;
    instances: number;
    gpusPerInstance: number;
    /** GPUs of all instances. */
    totalGpus: number;
    /** The service's share of its nodes' approximate on-demand price (catalog prices). */
    pricePerHourUsd: number;
    nodeGroup: string;
    /** Live status: `Running 2/2`, `Starting 0/1`, `Stopped`, or `Scaled to zero` for an autoscaled service at 0. */
    status: string;
    /** Load-based scaling, when the service autoscales (then `instances` is its `min`). */
    autoscale?: { min: number; max: number; metric: AutoscaleMetric; target: number };
    examples: ServiceExamples;
}

/** The `capacity` stack output: the plan's totals (what the cluster needs and costs, priced from the instance catalogs). */
export type CapacitySummary = CapacityPlan;

/** One row of the `nodeGroups` stack output. */
export interface NodeGroupSummary {
    name: string;
    /** `gpu` (model services) or `cpu` (gateway and cluster add-ons). */
    kind: string;
    instanceType: string;
    /** GPUs of one node. */
    gpusPerNode: number;
    minSize: number;
    /** Nodes the group runs now. */
    desiredSize: number;
    maxSize: number;
}
