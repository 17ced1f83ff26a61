/**
 * The parsed, validated shape of a stack's `model-services:*` config: what `parseConfig`
 * returns and what the planner takes. Plain interfaces (no zod-inferred types) so the shapes
 * stay consumable from other languages. Defaults live in `rules.ts`; what the planner works
 * out (GPUs, instance types, node counts, costs) lives in the plan, not here.
 */
import { AmiType, CapacityType, GatewayServiceType, NodeGroupKind, Quantization, ServiceTask, WeightsDtype } from "./rules";

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
    /**
     * A simulated cluster (KWOK): the stack creates each node group's nodes as Node objects
     * shaped like the EKS nodes of that group (labels, taints, allocatable), at the planned
     * desired size, and deploys the device plugin where EKS would. @default false
     */
    simulated: boolean;
}

export type ClusterConfig = EksClusterConfig | KubeconfigClusterConfig;

export interface NodeGroupConfig {
    /** Unique name, an RFC 1123 label; the nodes carry it as the node-group label. */
    name: string;
    /** EC2 instance type (a GPU or CPU type from the catalogs), e.g. `g6e.xlarge` or `m7i.large`; the planner picks one of `family` when omitted. */
    instanceType?: string;
    /** GPU group (model services) or CPU group (gateway and cluster add-ons), from the instance type's catalog. */
    kind: NodeGroupKind;
    /** Instance family the planner picks a size from when `instanceType` is omitted. */
    family?: string;
    /** Fewest nodes. */
    minSize: number;
    /** Most nodes. */
    maxSize: number;
    /** @default "ON_DEMAND" */
    capacityType: CapacityType;
    /** Root volume size; room for container images and the model cache. @default 200 */
    diskSizeGiB: number;
    /** @default "AL2023_x86_64_NVIDIA" for GPU groups, "AL2023_x86_64_STANDARD" for CPU groups */
    amiType: AmiType;
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
    /** GPUs per instance = vLLM tensor-parallel size; the planner picks the smallest fit when omitted. */
    gpus?: number;
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
    dtype: WeightsDtype;
    /** Weight quantization (vLLM `--quantization`), e.g. `awq`, `gptq`, `fp8`. */
    quantization?: Quantization;
    /** vLLM `--gpu-memory-utilization`. @default 0.9 */
    gpuMemoryUtilization: number;
    /** Model facts for models outside the planner's catalog. */
    architecture?: ModelArchitectureConfig;
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
}
