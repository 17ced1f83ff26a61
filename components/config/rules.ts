/**
 * Every enum, default, range and name rule of the config, written once. The zod schema,
 * the resolver, the planner, the gateway renderer's input checks, the components' own
 * argument checks, the policies and the docs tables import them from here.
 */

/** What a model service serves; decides the vLLM image and the flags vLLM needs. */
export const ServiceTask = {
    Chat: "chat",
    Vision: "vision",
    Embedding: "embedding",
    ImageGeneration: "image-generation",
} as const;
export type ServiceTask = (typeof ServiceTask)[keyof typeof ServiceTask];

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

/** EKS AMI types a node group may use: the NVIDIA ones for GPU groups, the standard AL2023 one for CPU groups. */
export const AmiType = {
    ...GpuAmiType,
    Al2023Standard: "AL2023_x86_64_STANDARD",
} as const;
export type AmiType = (typeof AmiType)[keyof typeof AmiType];

/** What a node group runs: model services (GPU instance types) or the gateway and cluster add-ons (CPU instance types). */
export const NodeGroupKind = {
    Gpu: "gpu",
    Cpu: "cpu",
} as const;
export type NodeGroupKind = (typeof NodeGroupKind)[keyof typeof NodeGroupKind];

export const GatewayServiceType = {
    LoadBalancer: "LoadBalancer",
    NodePort: "NodePort",
    ClusterIP: "ClusterIP",
} as const;
export type GatewayServiceType = (typeof GatewayServiceType)[keyof typeof GatewayServiceType];

/** Scheme of the gateway's AWS Network Load Balancer. */
export const GatewayLoadBalancerScheme = {
    Internal: "internal",
    InternetFacing: "internet-facing",
} as const;
export type GatewayLoadBalancerScheme = (typeof GatewayLoadBalancerScheme)[keyof typeof GatewayLoadBalancerScheme];

/** vLLM `--dtype` values the platform offers. */
export const WeightsDtype = {
    Auto: "auto",
    Bfloat16: "bfloat16",
    Float16: "float16",
    Float32: "float32",
} as const;
export type WeightsDtype = (typeof WeightsDtype)[keyof typeof WeightsDtype];

/**
 * vLLM `--quantization` methods the platform offers: those the planner can size that the
 * pinned vLLM has (QuantizationMethods, vllm/model_executor/layers/quantization/__init__.py:12;
 * test/vllmArgs.test.ts checks each against that list). `awq_marlin` and `gptq_marlin` are
 * vLLM's Marlin-kernel names for the same 4-bit checkpoints; `mxfp4` is gpt-oss's format.
 */
export const Quantization = {
    Awq: "awq",
    AwqMarlin: "awq_marlin",
    Gptq: "gptq",
    GptqMarlin: "gptq_marlin",
    Fp8: "fp8",
    Mxfp4: "mxfp4",
    Bitsandbytes: "bitsandbytes",
    CompressedTensors: "compressed-tensors",
} as const;

/**
 * The quantizations vLLM-Omni 0.26.0 can build for a diffusion pipeline: it lower-cases the
 * method and turns `-` into `_` (vllm_omni/quantization/factory.py:228), then looks it up in
 * its own builders (int8, bitsandbytes, mxfp8, mxfp4, inc…) or vLLM's QUANTIZATION_METHODS, so
 * `compressed-tensors` becomes an unknown `compressed_tensors`; AWQ and GPTQ are checkpoint
 * formats of language models. What is left, of the methods the planner sizes:
 */
export const imageGenerationQuantizations: readonly Quantization[] = [Quantization.Fp8, Quantization.Mxfp4, Quantization.Bitsandbytes];

/**
 * Quantizations people ask for that the pinned vLLM does not have, with what to do instead:
 * vLLM 0.26.0 lists no `gguf` method and no `gguf` load format.
 */
export const unsupportedQuantizations: Readonly<Record<string, string>> = {
    gguf: "convert the checkpoint to safetensors, or serve an AWQ or GPTQ re-upload of the model with quantization: awq (or gptq)",
};
export type Quantization = (typeof Quantization)[keyof typeof Quantization];

/** Where a service's model cache lives (`docs/models.md`). */
export const ModelCacheKind = {
    /** Per pod, gone with the pod: every start downloads (the default). */
    EmptyDir: "emptyDir",
    /** A directory on the node (instance-store NVMe on EKS): a pod rescheduled to the same node starts warm. */
    NodeLocal: "node-local",
    /** One ReadWriteMany volume for the cache's pods, filled once by a preload Job and mounted read-only. */
    Shared: "shared",
} as const;
export type ModelCacheKind = (typeof ModelCacheKind)[keyof typeof ModelCacheKind];

/** How serving pods get read access to `s3://` model sources. */
export const S3AccessMode = {
    /** EKS Pod Identity: an IAM role, readable prefixes only, associated with the service's ServiceAccount. */
    PodIdentity: "pod-identity",
    /** The node group's IAM role gets read access to the prefixes. */
    NodeRole: "node-role",
    /** A Secret of yours with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (any cluster). */
    Secret: "secret",
} as const;
export type S3AccessMode = (typeof S3AccessMode)[keyof typeof S3AccessMode];

/** vLLM 0.26's `--max-lora-rank` choices (`LoRAConfig.max_lora_rank`); an adapter of a larger rank fails at start. */
export const loraRankChoices = [1, 8, 16, 32, 64, 128, 256, 320, 512] as const;

/** A Hugging Face commit hash: what pins a model so it never changes under a running service. */
export const huggingFaceRevision = /^[0-9a-f]{40}$/;
/** The vLLM load signal a service autoscales on (see docs/autoscaling.md for the queries). */
export const AutoscaleMetric = {
    /** `vllm:num_requests_waiting`: requests queued per instance. */
    Queue: "queue",
    /** `vllm:kv_cache_usage_perc`: fraction of KV-cache blocks in use, averaged over instances. */
    KvCache: "kvCache",
    /** `vllm:time_to_first_token_seconds`: 90th-percentile time to first token, seconds. */
    Ttft: "ttft",
} as const;
export type AutoscaleMetric = (typeof AutoscaleMetric)[keyof typeof AutoscaleMetric];

/** Where KEDA comes from: the platform installs its pinned release, or the cluster already runs one. */
export const KedaMode = {
    Install: "install",
    Existing: "existing",
} as const;
export type KedaMode = (typeof KedaMode)[keyof typeof KedaMode];

/** The values of an `as const` enum object, as a non-empty tuple (what zod's `enum` takes). */
export function enumValues<T extends Record<string, string>>(e: T): [T[keyof T], ...T[keyof T][]] {
    return Object.values(e) as [T[keyof T], ...T[keyof T][]];
}

/** RFC 1035 label: what a Kubernetes Service name must be (starts with a letter). */
export const rfc1035Label = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** RFC 1123 label: Kubernetes namespaces, label values and most object names. */
export const rfc1123Label = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A DNS host name. */
export const dnsName = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** An ACM certificate ARN. */
export const acmCertificateArn = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
/** An IPv4 CIDR block. */
export const ipv4Cidr = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)$/;
/** A UTC time in ISO 8601 (`2026-12-01T12:00:00Z`, seconds and fractions optional). */
export const isoUtcTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;
/** An access name (`<owner>/<name>`): clients send it in JSON bodies and Envoy matches it verbatim, so no whitespace or '%'. */
export const accessNamePattern = /^[^\s%]+$/;
/** An environment variable name. */
export const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Environment variables that carry credentials: they belong in Secrets, never in `env`. */
export const secretEnvPattern = /(TOKEN|SECRET|PASSWORD|API_KEY|ACCESS_KEY)/i;

/** Longest service name: the Kubernetes objects of a service are named `vllm-<name>`. */
export const maxServiceNameLength = 40;
/** Longest access-name owner. */
export const maxOwnerLength = 40;

/** Inclusive ranges of numeric settings. */
export const ranges = {
    /** GPUs per instance (vLLM's tensor-parallel size). */
    gpus: { min: 1, max: 64 },
    diskSizeGiB: { min: 20, max: 16384 },
    gatewayReplicas: { min: 1, max: 100 },
    /** Largest request body, MiB. */
    maxRequestBodyMiB: { min: 1, max: 1024 },
    requestsPerMinute: { min: 1, max: 1_000_000 },
    gpuMemoryUtilization: { min: 0.1, max: 0.99 },
    modelCacheGiB: { min: 1, max: 65536 },
    /** `autoscale.max`: instances one service may scale to. */
    autoscaleMax: { min: 1, max: 1000 },
    /** `autoscale.scaleDownDelaySeconds`: KEDA's cooldown and the HPA's scale-down window (KEDA's CRD caps the window at 3600). */
    scaleDownDelaySeconds: { min: 0, max: 3600 },
} as const;

/**
 * Default scaling targets per metric: the value one instance should carry. Queue: 5 waiting
 * requests per instance — vLLM queues only once its running batch is full, so a steady queue
 * means the batch is saturated. KV cache: 0.8 of the blocks in use — above it vLLM starts
 * preempting requests. TTFT: 2 s at the 90th percentile, an interactive chat budget.
 */
export const defaultAutoscaleTargets: Record<AutoscaleMetric, number> = {
    [AutoscaleMetric.Queue]: 5,
    [AutoscaleMetric.KvCache]: 0.8,
    [AutoscaleMetric.Ttft]: 2,
};

/** Where nodeadm mounts the RAID0 array of an EKS AL2023 node's instance-store NVMe disks. */
export const instanceStoreMount = "/mnt/k8s-disks/0";

/** Defaults, resolved in the config layer and nowhere else. */
export const defaults = {
    namespace: "model-services",
    eksVersion: "1.34",
    region: "us-east-1",
    capacityType: CapacityType.OnDemand,
    diskSizeGiB: 200,
    amiType: GpuAmiType.Al2023Nvidia,
    task: ServiceTask.Chat,
    dtype: WeightsDtype.Auto,
    gpuMemoryUtilization: 0.9,
    gatewayReplicas: 2,
    maxRequestBodyMiB: 32,
    gatewayScheme: GatewayLoadBalancerScheme.Internal,
    /**
     * Requests per minute, per gateway pod, of a key without its own limit: one key cannot
     * open requests faster than this, so its share of a service is bounded by this rate ×
     * the generation time (Envoy has no per-key concurrency limit).
     */
    keyRequestsPerMinute: 120,
    rotation: 0,
    /** `cluster.kind: kubeconfig` clusters bring their own device plugin (GPU Operator) unless told otherwise. */
    kubeconfigDevicePlugin: false,
    awsSecretsManager: false,
    modelCacheKind: ModelCacheKind.EmptyDir,
    /** Size of a model cache (emptyDir limit, shared volume request). */
    modelCacheGiB: 200,
    /**
     * Node-local cache directory: on the instance-store NVMe array the EKS AL2023 AMI mounts at
     * `instanceStoreMount` when the node's NodeConfig asks for `localStorage.strategy: RAID0`
     * (the platform asks for it on every EKS group holding a node-local cache).
     */
    nodeLocalCachePath: `${instanceStoreMount}/model-cache`,
    autoscaleMetric: AutoscaleMetric.Queue,
    /** Ten minutes without load before an instance goes: a cold start costs minutes of model load. */
    scaleDownDelaySeconds: 600,
    kedaMode: KedaMode.Install,
    prometheusOperator: false,
    grafanaDashboard: false,
    /** AMI of CPU node groups. */
    cpuAmiType: AmiType.Al2023Standard,
    /**
     * The CPU group a stack gets when it declares none: the gateway, CoreDNS and the other
     * cluster add-ons run here (GPU nodes are tainted). Two nodes as the AI-on-EKS blueprints'
     * core node group (min 2, desired 2), on the current general-purpose size that holds them.
     */
    systemNodeGroup: { name: "system", instanceType: "m7i.large", minSize: 2, maxSize: 3 },
    /** Disk of the default system group. */
    systemDiskSizeGiB: 50,
    /** The web playground (Open WebUI) is opt-in. */
    playgroundEnabled: false,
    /** Services the playground's key may call. */
    playgroundServices: ["*"],
} as const;

/** The gateway's Service type when `gateway.serviceType` is not set. */
export function defaultGatewayServiceType(clusterKind: "eks" | "kubeconfig"): GatewayServiceType {
    return clusterKind === "eks" ? GatewayServiceType.LoadBalancer : GatewayServiceType.ClusterIP;
}
