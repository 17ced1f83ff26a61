/**
 * The parsed, validated shape of a stack's `model-services:*` config: what `parseConfig`
 * returns and what the planner takes. Plain interfaces (no zod-inferred types) so the shapes
 * stay consumable from other languages. Defaults live in `rules.ts`; what the planner works
 * out (GPUs, instance types, node counts, costs) lives in the plan, not here.
 */
import {
    AmiType,
    AutoscaleMetric,
    CapacityType,
    GatewayLoadBalancerScheme,
    GatewayServiceType,
    KedaMode,
    ModelCacheKind,
    NodeGroupKind,
    Quantization,
    S3AccessMode,
    ServiceTask,
    WeightsDtype,
} from "./rules";
import { ModelSource } from "./modelSource";

/** Where a service's weights are kept between pod starts. */
export interface ModelCacheConfig {
    /** @default "emptyDir" */
    kind: ModelCacheKind;
    /** emptyDir size limit, or the shared volume's request. @default 200 */
    sizeGiB: number;
    /** node-local: the directory on the node. @default "/mnt/k8s-disks/0/model-cache" */
    hostPath?: string;
    /**
     * shared: a ReadWriteMany StorageClass. On an EKS cluster the stack creates: the platform's
     * own EFS file system and StorageClass when omitted. @default "model-services-efs" (created EKS), else required
     */
    storageClass?: string;
    /** Who the cache belongs to: `node-group/<name>` or `service/<name>` (one shared volume each). */
    scope: string;
}

/** How serving pods read `s3://` model sources. */
export interface S3AccessConfig {
    mode: S3AccessMode;
    /** mode secret: a Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and optionally AWS_REGION). */
    secretName?: string;
}

export interface ModelAccessConfig {
    /** Absent: no `s3://` source is allowed. */
    s3?: S3AccessConfig;
}

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
    /** The cache of the group's services that set none. @default emptyDir */
    modelCache?: Omit<ModelCacheConfig, "scope">;
}

/** Model facts the capacity planner needs when the model is not in its catalog. */
export interface ModelArchitectureConfig {
    /** Parameter count in billions. */
    paramsBillions?: number;
    /** Transformer layers. */
    layers?: number;
    /** Key/value heads (GQA); equals attention heads for plain multi-head attention. */
    kvHeads?: number;
    /** Attention heads (num_attention_heads): the GPU counts vLLM accepts must divide them. */
    attentionHeads?: number;
    /** The dense MLP's intermediate_size: the GPU count must divide it. */
    intermediateSize?: number;
    /** One expert's intermediate size (MoE models): the GPU count must divide it. */
    moeIntermediateSize?: number;
    /** Size of one attention head. */
    headDim?: number;
    /** Longest context the model supports. */
    maxContext?: number;
}

/** Load-based scaling of a service between `min` and `max` instances (KEDA on vLLM's own metrics). */
export interface AutoscaleConfig {
    /** Fewest instances; 0 lets the service scale to zero when idle. */
    min: number;
    /** Most instances; the node group must hold this many. */
    max: number;
    /** The vLLM signal to scale on. @default "queue" */
    metric: AutoscaleMetric;
    /** The value one instance should carry (waiting requests, KV-cache fraction or TTFT seconds). @default per metric: 5, 0.8, 2 */
    target: number;
    /** Seconds of low load before instances are removed (and before the last one goes). @default 600 */
    scaleDownDelaySeconds: number;
}

export interface ServiceConfig {
    /** Unique name, an RFC 1035 label; the Kubernetes object names and the access name derive from it. */
    name: string;
    /** Human-readable name for the services table. @default name */
    displayName: string;
    /** Base model: a Hugging Face repo id (`Qwen/Qwen3-8B`), `s3://bucket/prefix`, `pvc://claim/path` or a path in the pod; an adapter's base's model. */
    model: string;
    /** The model source, parsed. */
    source: ModelSource;
    /** Hugging Face commit the model is pinned to. */
    revision?: string;
    /** Adapter services: the service whose pods run this LoRA adapter. */
    base?: string;
    /** Adapter services: the adapter's source, parsed. */
    adapter?: ModelSource;
    /** Adapter services: the adapter's LoRA rank. */
    rank?: number;
    /** Base services: vLLM `--max-lora-rank`; the smallest of vLLM's choices that holds every adapter when omitted. */
    maxLoraRank?: number;
    /** The service's model cache: its own, else its node group's, else emptyDir. */
    modelCache: ModelCacheConfig;
    /** Number of vLLM pods; 0 stops the service and keeps its ID and keys. With `autoscale`, `autoscale.min`: what the node group is sized for at rest. */
    instances: number;
    /** Load-based scaling instead of a fixed `instances`. */
    autoscale?: AutoscaleConfig;
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
    /** Requests per minute this key may make across all services, per gateway pod. @default gateway.defaultRequestsPerMinute */
    requestsPerMinute?: number;
    /** End of the last rotation's grace period (ISO 8601, UTC), as configured. */
    previousKeyValidUntil?: string;
    /** Whether the value before the last rotation is still accepted: `previousKeyValidUntil` was in the future when the config was parsed. @default false */
    keepPrevious: boolean;
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
    /** Requests per minute, per gateway pod, of keys without their own `requestsPerMinute`. @default 120 */
    defaultRequestsPerMinute?: number;
    /** Who can reach a `LoadBalancer` gateway: an internal NLB (the VPC) or an internet-facing one. @default "internal" */
    scheme?: GatewayLoadBalancerScheme;
    /** ACM certificate ARN: the NLB ends TLS on port 443 with it. */
    certificateArn?: string;
    /** Client CIDRs the load balancer admits. @default every address its scheme reaches */
    loadBalancerSourceRanges?: string[];
}

export interface KeyStoreConfig {
    /** Also keep the keys in AWS Secrets Manager (EKS only). @default false */
    awsSecretsManager: boolean;
}

/** Pods admitted to vLLM's port besides the gateway's: the Prometheus that scrapes `/metrics`. */
export interface MetricsScraperConfig {
    /** Labels of the scraper's namespace. @default {} (any namespace) */
    namespaceLabels?: Record<string, string>;
    /** Labels of the scraper's pods. */
    podLabels: Record<string, string>;
}

export interface AutoscalingConfig {
    /** Install the pinned KEDA release, or use the one the cluster runs. @default "install" */
    keda: KedaMode;
    /** Prometheus that scrapes vLLM and the gateway, which KEDA queries; required when a service autoscales. */
    prometheusUrl?: string;
}

export interface MonitoringConfig {
    /** Create PodMonitors for vLLM and the gateway (needs the Prometheus Operator's CRDs). @default false */
    prometheusOperator: boolean;
    /** Ship the Grafana dashboard as a ConfigMap labelled for Grafana's sidecar. @default false */
    grafanaDashboard: boolean;
}

/** The web playground: Open WebUI on the CPU nodes, calling the gateway with its own key. */
export interface PlaygroundConfig {
    /** Deploy it. @default false */
    enabled: boolean;
    /** Services the playground's key may call, or `["*"]` for all. @default ["*"] */
    services: string[];
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
    /** @default {} (no s3:// sources) */
    modelAccess: ModelAccessConfig;
    /** The metrics scraper the model pods' NetworkPolicy admits. @default none: only the gateway */
    metricsScraper?: MetricsScraperConfig;
    autoscaling: AutoscalingConfig;
    monitoring: MonitoringConfig;
    /** @default disabled */
    playground: PlaygroundConfig;
}
