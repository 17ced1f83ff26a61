import { AmiType, CapacityType, NodeGroupKind } from "../config/rules";
import { LocalStorageStrategy } from "./nodeBootstrap";
import {
    ApiKeyConfig,
    AutoscaleConfig,
    AutoscalingConfig,
    ClusterConfig,
    GatewayConfig,
    KeyStoreConfig,
    MetricsScraperConfig,
    ModelAccessConfig,
    MonitoringConfig,
    PlaygroundConfig,
    ServiceConfig,
} from "../config/types";
import { LoraPlan } from "./lora";
import { StartupBudget } from "./startupBudget";

/**
 * The plan: what the planner works out from a parsed config — each service's GPUs, fit and
 * cost, each node group's instance type and desired size, the totals. New objects; the
 * config it came from is never written to. The components take these terms.
 */

/** One model service as planned: its config with the planner's answers filled in. */
export interface ServicePlan extends Omit<ServiceConfig, "gpus" | "autoscale"> {
    /** `<owner>/<name>`: vLLM's served model name and the request's `model`. */
    accessName: string;
    /** Load-based scaling; the Deployment's replicas then belong to KEDA. */
    autoscale?: AutoscalePlan;
    /** Base services with adapters: what vLLM is told about them. */
    lora?: LoraPlan;
    /** Startup estimate and the startup probe's budget. */
    startup: StartupBudget;
    /** GPUs per instance = vLLM's tensor-parallel size: the config's, or the planner's smallest fit. */
    gpus: number;
    /** True when `gpus` was chosen by the planner rather than written in config. */
    gpusChosen: boolean;
    /** Fit, GPUs and cost; undefined when the model's size is unknown. */
    capacity?: ServiceCapacityPlan;
}

/** A service's autoscaling as planned. */
export interface AutoscalePlan extends AutoscaleConfig {
    /** Estimated seconds from the first request to a ready instance when scaled to zero (the gateway's `Retry-After`). */
    scaleUpSeconds: number;
}

/** One node group as planned. */
export interface NodeGroupPlan {
    name: string;
    /** EC2 instance type: as configured, or the planner's pick from `family`. */
    instanceType: string;
    /** True when `instanceType` was chosen by the planner. */
    instanceTypeChosen: boolean;
    /** GPU group (model services) or CPU group (gateway and cluster add-ons). */
    kind: NodeGroupKind;
    /** Instance family the planner picked `instanceType` from, when the config named a family. */
    family?: string;
    /** GPUs of one node (from the instance catalog). */
    gpusPerNode: number;
    minSize: number;
    /** Nodes the services placed on the group need, within `minSize`…`maxSize`. */
    desiredSize: number;
    maxSize: number;
    capacityType: CapacityType;
    diskSizeGiB: number;
    amiType: AmiType;
    /**
     * How nodeadm sets up the instance-store NVMe of the group's EKS nodes: `RAID0` (mounted at
     * `/mnt/k8s-disks/0`) when a service on the group keeps a node-local model cache; otherwise
     * the AMI's default (disks left alone).
     */
    localStorage?: LocalStorageStrategy;
    /** GPUs and cost at `desiredSize`. */
    capacity?: NodeGroupCapacityPlan;
}

/** The whole platform as planned: the config's settings plus what the planner worked out. */
export interface PlatformPlan {
    owner: string;
    namespace: string;
    cluster: ClusterConfig;
    nodeGroups: NodeGroupPlan[];
    services: ServicePlan[];
    apiKeys: ApiKeyConfig[];
    gateway: GatewayConfig;
    keyStore: KeyStoreConfig;
    modelAccess: ModelAccessConfig;
    /** The metrics scraper the model pods' NetworkPolicy admits, if any. */
    metricsScraper?: MetricsScraperConfig;
    autoscaling: AutoscalingConfig;
    monitoring: MonitoringConfig;
    /** The web playground (Open WebUI) and its key's scope. */
    playground: PlaygroundConfig;
    /**
     * The platform creates an EFS file system, the EFS CSI driver add-on and the StorageClass
     * `model-services-efs`: a created EKS cluster with a shared model cache that names no StorageClass.
     */
    managedEfs: boolean;
    /** Total GPUs and cost. */
    capacity: CapacityPlan;
}

/** What the capacity planner worked out for one service. Memory figures are per GPU and approximate. */
export interface ServiceCapacityPlan {
    /** Instance type of the service's node group. */
    instanceType: string;
    gpuModel: string;
    /** GPUs of one instance (= the service's `gpus`). */
    gpusPerInstance: number;
    /** GPUs of all instances: `instances × gpus`. */
    totalGpus: number;
    /** Parameters the estimate used, in billions. */
    paramsBillions: number;
    /** Where the model facts came from: "catalog", "config" or "catalog+config". */
    modelFactsFrom: string;
    weightsGiBPerGpu: number;
    /** GPU memory left for the KV cache after weights and runtime overhead. */
    kvCacheGiBPerGpu: number;
    /** Context vLLM will serve: `maxModelLen`, else the model's own maximum; absent when unknown. */
    contextLength?: number;
    /** Longest context that fits; absent when the model's KV-cache shape is unknown. */
    maxContextThatFits?: number;
    /** The service's share of its nodes' on-demand price: `totalGpus × node price ÷ node GPUs`. */
    pricePerHourUsd: number;
}

/** GPUs and cost of one node group at its desired size. */
export interface NodeGroupCapacityPlan {
    gpuModel: string;
    /** On-demand price of one node. */
    pricePerNodeHourUsd: number;
    /** GPUs of `desiredSize` nodes. */
    totalGpus: number;
    /** GPUs the services placed on the group ask for. */
    requestedGpus: number;
    /** On-demand price of `desiredSize` nodes. */
    pricePerHourUsd: number;
    /** GPUs of `desiredSize` nodes that no service asks for: paid for, unused. */
    idleGpus: number;
    /** The price of the idle GPUs: `idleGpus × node price ÷ node GPUs`. */
    idleGpuPricePerHourUsd: number;
}

/** Totals over all node groups, priced from the instance catalog. */
export interface CapacityPlan {
    /** GPUs of all node groups at their desired sizes. */
    totalGpus: number;
    /** GPUs all services ask for. */
    requestedGpus: number;
    /**
     * What the cluster costs per hour on demand: GPU node groups, CPU node groups and the EKS
     * control plane (`gpuNodesPricePerHourUsd + cpuNodesPricePerHourUsd + controlPlanePricePerHourUsd`).
     */
    pricePerHourUsd: number;
    /** GPU node groups at their desired sizes (the services' shares plus the idle GPUs). */
    gpuNodesPricePerHourUsd: number;
    /** CPU node groups (gateway and cluster add-ons) at their desired sizes. */
    cpuNodesPricePerHourUsd: number;
    /** The EKS control plane's fee, when the stack creates the cluster (or simulates one it would create). */
    controlPlanePricePerHourUsd: number;
    /** GPUs provisioned that no service asks for. */
    idleGpus: number;
    /** What the idle GPUs cost. */
    idleGpuPricePerHourUsd: number;
    /** True on a simulated cluster: the prices are what the same node groups would cost on EKS, not a bill. */
    simulated: boolean;
    /** Region and date of the catalog's prices. */
    priceRegion: string;
    priceDate: string;
}
