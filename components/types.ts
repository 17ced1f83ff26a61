/**
 * The parsed, validated shape of a stack's `model-services:*` config: what `parseConfig`
 * returns and what `ModelPlatform` consumes. Plain interfaces and `as const` objects (no
 * zod-inferred types) so the components stay consumable as a Pulumi component package.
 */

/** What a model service serves; decides the vLLM image and the flags vLLM needs. */
export const ServiceTask = {
    Chat: "chat",
    Vision: "vision",
    Embedding: "embedding",
    ImageGeneration: "image-generation",
} as const;
export type ServiceTask = (typeof ServiceTask)[keyof typeof ServiceTask];

export const ClusterKind = {
    Eks: "eks",
    Kubeconfig: "kubeconfig",
} as const;
export type ClusterKind = (typeof ClusterKind)[keyof typeof ClusterKind];

export const CapacityType = {
    OnDemand: "ON_DEMAND",
    Spot: "SPOT",
} as const;
export type CapacityType = (typeof CapacityType)[keyof typeof CapacityType];

/** NVIDIA-enabled EKS AMI families. Both bring the NVIDIA driver; Bottlerocket also brings the device plugin. */
export const GpuAmiType = {
    Al2023Nvidia: "AL2023_x86_64_NVIDIA",
    BottlerocketNvidia: "BOTTLEROCKET_x86_64_NVIDIA",
} as const;
export type GpuAmiType = (typeof GpuAmiType)[keyof typeof GpuAmiType];

export const GatewayServiceType = {
    LoadBalancer: "LoadBalancer",
    NodePort: "NodePort",
    ClusterIP: "ClusterIP",
} as const;
export type GatewayServiceType = (typeof GatewayServiceType)[keyof typeof GatewayServiceType];

export interface EksClusterConfig {
    kind: "eks";
    /** EKS cluster name. */
    name: string;
    /** Create the cluster (true) or use an existing one of that name (false). @default true */
    create: boolean;
    /** Kubernetes version of a created cluster. @default "1.34" */
    version: string;
    /** Subnets for a created cluster and its node groups; the default VPC's subnets when omitted. */
    subnetIds?: string[];
    /** AWS region, for the catalog's prices; the provider's region is what deploys. @default "us-east-1" */
    region: string;
}

export interface KubeconfigClusterConfig {
    kind: "kubeconfig";
    /** kubeconfig context; the current context when omitted. */
    context?: string;
    /** Path of the kubeconfig file; `$KUBECONFIG` or `~/.kube/config` when omitted. */
    kubeconfig?: string;
    /** Deploy NVIDIA's device plugin (false when the cluster brings its own, e.g. the GPU Operator). @default false */
    nvidiaDevicePlugin: boolean;
}

export type ClusterConfig = EksClusterConfig | KubeconfigClusterConfig;

export interface NodeGroupConfig {
    name: string;
    /** EC2 instance type (a GPU type from the catalog), e.g. `g6e.xlarge`. */
    instanceType: string;
    minSize: number;
    maxSize: number;
    /** @default "ON_DEMAND" */
    capacityType: CapacityType;
    /** Root volume size; room for container images and the model cache. @default 200 */
    diskSizeGiB: number;
    /** @default "AL2023_x86_64_NVIDIA" */
    amiType: GpuAmiType;
    /** True when `instanceType` was chosen by the planner rather than written in config. */
    instanceTypeChosen: boolean;
    /** Instance family the planner picks a size from when `instanceType` is omitted. */
    family?: string;
    /** GPUs of one node (from the instance catalog). */
    gpusPerNode: number;
    /** Nodes the services placed on this group need, within `minSize`…`maxSize`. */
    desiredSize: number;
    /** GPUs and cost of the group, from the capacity planner (derived). */
    capacity?: NodeGroupCapacityPlan;
}

/** Model facts the capacity planner needs when the model is not in its catalog. */
export interface ModelArchitectureConfig {
    /** Parameter count in billions. */
    paramsBillions?: number;
    /** Transformer layers. */
    layers?: number;
    /** Key/value heads (GQA); equals attention heads for plain multi-head attention. */
    kvHeads?: number;
    /** Size of one attention head. */
    headDim?: number;
    /** Longest context the model supports. */
    maxContext?: number;
}

export interface ServiceConfig {
    /** Unique name, an RFC 1035 label; the Kubernetes object names and the access name derive from it. */
    name: string;
    /** Human-readable name for the services table. @default name */
    displayName: string;
    /** Base model: a Hugging Face repo id (`Qwen/Qwen3-8B`) or a path in the model cache. */
    model: string;
    /** Number of vLLM pods; 0 stops the service and keeps its ID and keys. */
    instances: number;
    /** GPUs per instance = vLLM tensor-parallel size. @default planner's smallest fit, else 1 */
    gpus: number;
    /** True when `gpus` was chosen by the planner rather than written in config. */
    gpusChosen: boolean;
    /** Node group this service runs on. @default the only node group */
    nodeGroup: string;
    /** @default "chat" */
    task: ServiceTask;
    /** vLLM `--max-model-len`; the model's own maximum when omitted. */
    maxModelLen?: number;
    /** Container image; the pinned vLLM (or vLLM-Omni for image generation) image when omitted. */
    image?: string;
    /** Extra vLLM command-line arguments, appended verbatim. @default [] */
    engineArgs: string[];
    /** Extra environment variables (non-secret). @default {} */
    env: Record<string, string>;
    /** Weights dtype. @default "auto" */
    dtype: string;
    /** Weight quantization (vLLM `--quantization`), e.g. `awq`, `gptq`, `fp8`. */
    quantization?: string;
    /** vLLM `--gpu-memory-utilization`. @default 0.9 */
    gpuMemoryUtilization: number;
    /** Model facts for models outside the planner's catalog. */
    architecture?: ModelArchitectureConfig;
    /** Fit, GPUs and cost of the service, from the capacity planner (derived). */
    capacity?: ServiceCapacityPlan;
}

export interface ApiKeyConfig {
    /** Unique key name, an RFC 1123 label; forwarded upstream and logged for usage accounting. */
    name: string;
    /** Services this key may call, or `["*"]` for all. */
    services: string[];
    /** Bump to issue a new key value. @default 0 */
    rotation: number;
    /** Requests per minute this key may make across all services; unlimited when omitted. */
    requestsPerMinute?: number;
}

export interface GatewayTlsConfig {
    /** Name of a `kubernetes.io/tls` Secret in the namespace holding the certificate and key. */
    secretName: string;
}

export interface GatewayConfig {
    /** Envoy pods. @default 2 */
    replicas: number;
    /** @default "LoadBalancer" on EKS, "ClusterIP" on kubeconfig clusters */
    serviceType: GatewayServiceType;
    /** Public host name; it forms `endpoint` when set. */
    hostname?: string;
    tls?: GatewayTlsConfig;
    /** Largest request body accepted, in MiB (base64 images make vision requests big). @default 32 */
    maxRequestBodyMiB: number;
    /** Envoy image override. @default the pinned Envoy image */
    image?: string;
}

export interface KeyStoreConfig {
    /** Also keep the keys in AWS Secrets Manager (EKS only). @default false */
    awsSecretsManager: boolean;
}

export interface PlatformConfig {
    /** Access-name prefix. @default derived from the project and stack */
    owner: string;
    /** @default "model-services" */
    namespace: string;
    cluster: ClusterConfig;
    nodeGroups: NodeGroupConfig[];
    services: ServiceConfig[];
    apiKeys: ApiKeyConfig[];
    gateway: GatewayConfig;
    keyStore: KeyStoreConfig;
    /** Total GPUs and cost, from the capacity planner (derived). */
    capacity?: CapacityPlan;
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
}

/** Totals over all node groups, priced from the instance catalog. */
export interface CapacityPlan {
    /** GPUs of all node groups at their desired sizes. */
    totalGpus: number;
    /** GPUs all services ask for. */
    requestedGpus: number;
    /** On-demand price of all node groups at their desired sizes. */
    pricePerHourUsd: number;
    /** Region and date of the catalog's prices. */
    priceRegion: string;
    priceDate: string;
}
