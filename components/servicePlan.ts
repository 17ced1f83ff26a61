import { findGpuInstanceType } from "./gpuCatalog";
import { NodeGroupConfig, ServiceConfig, ServiceTask } from "./types";
import { images } from "./versions";

/**
 * Pure planning of one model service's pod: the vLLM command line, resources, probes and
 * names. `ModelService` turns this into Kubernetes objects; tests snapshot it.
 */

/** Port vLLM listens on inside the pod and the ClusterIP Service exposes. */
export const vllmPort = 8000;

/** Label every object of a node group's nodes and pods select on. */
export const nodeGroupLabel = "model-services.io/node-group";
/** Label carrying a service's stable ID on every object of the service (billing). */
export const serviceIdLabel = "model-services.io/service-id";
/** Label carrying a service's name on every object of the service. */
export const serviceNameLabel = "model-services.io/service";
/** The taint GPU nodes carry and GPU pods tolerate. */
export const gpuTaint = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" } as const;
/** The extended resource GPUs are requested by. */
export const gpuResource = "nvidia.com/gpu";

/** Where Hugging Face downloads go inside the pod. */
export const modelCachePath = "/root/.cache/huggingface";

/**
 * Probe budget. The startup probe allows `startupSeconds` for downloading weights, loading
 * them onto the GPUs and compiling CUDA graphs (a 70B model takes well over ten minutes
 * on a cold node); readiness and liveness take over once it passes.
 */
export const probeTiming = {
    startupPeriodSeconds: 10,
    startupSeconds: 3600,
    readinessPeriodSeconds: 5,
    livenessPeriodSeconds: 15,
    livenessFailureThreshold: 4,
} as const;

/** Shared memory for NCCL between tensor-parallel workers, per GPU of the instance. */
const shmGiBPerGpu = 8;

/** Kubernetes object name of a service's Deployment, Service and PodDisruptionBudget. */
export function serviceObjectName(serviceName: string): string {
    return `vllm-${serviceName}`;
}

/** In-cluster DNS name of a service's ClusterIP Service: what the gateway routes to. */
export function serviceBackendHost(serviceName: string, namespace: string): string {
    return `${serviceObjectName(serviceName)}.${namespace}.svc.cluster.local`;
}

/** The image a service runs. */
export function serviceImage(service: ServiceConfig): string {
    return service.image ?? (service.task === ServiceTask.ImageGeneration ? images.vllmOmni : images.vllm);
}

/** The container command and arguments of a service's vLLM server. */
export function vllmCommand(service: ServiceConfig, accessName: string): { command: string[]; args: string[] } {
    const args = [service.model, "--served-model-name", accessName, "--host", "0.0.0.0", "--port", String(vllmPort)];
    if (service.task === ServiceTask.ImageGeneration) {
        // vLLM-Omni serves diffusion models behind the same `vllm serve`, with /v1/images/generations.
        args.push("--omni");
    } else {
        args.push("--tensor-parallel-size", String(service.gpus));
        args.push("--gpu-memory-utilization", String(service.gpuMemoryUtilization));
        if (service.maxModelLen !== undefined) {
            args.push("--max-model-len", String(service.maxModelLen));
        }
        if (service.dtype !== "auto") {
            args.push("--dtype", service.dtype);
        }
        if (service.quantization !== undefined) {
            args.push("--quantization", service.quantization);
        }
        if (service.task === ServiceTask.Embedding) {
            args.push("--runner", "pooling", "--convert", "embed");
        }
        if (service.task === ServiceTask.Vision) {
            args.push("--limit-mm-per-prompt", JSON.stringify({ image: 4 }));
        }
    }
    args.push(...service.engineArgs);
    return { command: ["vllm", "serve"], args };
}

export interface PodResources {
    requests: Record<string, string>;
    limits: Record<string, string>;
    /** Size of the memory-backed `/dev/shm`, when the service needs one (tensor parallel > 1). */
    shmSizeGiB?: number;
}

/**
 * CPU and memory for one instance: its share of the node (GPUs of the pod ÷ GPUs of the
 * node), less headroom for the kubelet, daemons and the device plugin.
 */
export function podResources(service: ServiceConfig, group: NodeGroupConfig): PodResources {
    const type = findGpuInstanceType(group.instanceType);
    const share = type ? service.gpus / type.gpus : 1;
    const cpu = type ? Math.max(1, Math.floor((type.vcpus - 1) * share)) : 4;
    const memoryGiB = type ? Math.max(4, Math.floor((type.memoryGiB * 0.85 - 2) * share)) : 16;
    const gpus = String(service.gpus);
    const shmSizeGiB = service.gpus > 1 ? shmGiBPerGpu * service.gpus : undefined;
    return {
        requests: { cpu: String(cpu), memory: `${memoryGiB}Gi`, [gpuResource]: gpus },
        limits: { cpu: String(cpu), memory: `${memoryGiB}Gi`, [gpuResource]: gpus },
        shmSizeGiB,
    };
}

/** Kubernetes' recommended labels plus the service's own, for every object of a service. */
export function serviceLabels(serviceName: string, serviceId: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": "vllm",
        "app.kubernetes.io/instance": serviceObjectName(serviceName),
        "app.kubernetes.io/component": "model-server",
        "app.kubernetes.io/part-of": "model-services",
        "app.kubernetes.io/managed-by": "pulumi",
        [serviceNameLabel]: serviceName,
        [serviceIdLabel]: serviceId,
    };
}

/** The labels a service's pods are selected by: fixed for the life of the service. */
export function serviceSelector(serviceName: string): Record<string, string> {
    return {
        "app.kubernetes.io/instance": serviceObjectName(serviceName),
        [serviceNameLabel]: serviceName,
    };
}

/** The human status of a Deployment: `Running 2/2`, `Starting 0/1`, `Stopped`. */
export function deploymentStatus(desired: number, ready: number | undefined): string {
    if (desired === 0) {
        return "Stopped";
    }
    const up = ready ?? 0;
    return `${up >= desired ? "Running" : "Starting"} ${up}/${desired}`;
}
