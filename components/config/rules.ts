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

export const GatewayServiceType = {
    LoadBalancer: "LoadBalancer",
    NodePort: "NodePort",
    ClusterIP: "ClusterIP",
} as const;
export type GatewayServiceType = (typeof GatewayServiceType)[keyof typeof GatewayServiceType];

/** vLLM `--dtype` values the platform offers. */
export const WeightsDtype = {
    Auto: "auto",
    Bfloat16: "bfloat16",
    Float16: "float16",
    Float32: "float32",
} as const;
export type WeightsDtype = (typeof WeightsDtype)[keyof typeof WeightsDtype];

/** vLLM `--quantization` methods the platform offers. */
export const Quantization = {
    Awq: "awq",
    Gptq: "gptq",
    Fp8: "fp8",
    Bitsandbytes: "bitsandbytes",
    Gguf: "gguf",
    CompressedTensors: "compressed-tensors",
} as const;
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
} as const;

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
    rotation: 0,
    /** `cluster.kind: kubeconfig` clusters bring their own device plugin (GPU Operator) unless told otherwise. */
    kubeconfigDevicePlugin: false,
    awsSecretsManager: false,
    modelCacheKind: ModelCacheKind.EmptyDir,
    /** Size of a model cache (emptyDir limit, shared volume request). */
    modelCacheGiB: 200,
    /**
     * Node-local cache directory: where the EKS AL2023 NVIDIA AMI mounts the instance-store
     * NVMe array when the node's NodeConfig asks for `localStorage.strategy: RAID0`.
     */
    nodeLocalCachePath: "/mnt/k8s-disks/0/model-cache",
} as const;

/** The gateway's Service type when `gateway.serviceType` is not set. */
export function defaultGatewayServiceType(clusterKind: "eks" | "kubeconfig"): GatewayServiceType {
    return clusterKind === "eks" ? GatewayServiceType.LoadBalancer : GatewayServiceType.ClusterIP;
}
