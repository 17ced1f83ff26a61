import { findGpuInstanceType } from "../catalog/gpuInstances";
import { platformFlags } from "../config/engineFlags";
import { ModelSource } from "../config/modelSource";
import { ModelCacheKind } from "../config/rules";
import { loraArgs, LoraPlan } from "./lora";
import { servedPath } from "./modelCache";
import { Quantization, ServiceTask, WeightsDtype } from "../config/rules";
import { gpuResource, vllmPort } from "../conventions";
import { images } from "../versions";

/**
 * Pure planning of one model service's pod: the vLLM command line, resources, probes and
 * names. `ModelService` turns this into Kubernetes objects; tests snapshot it.
 */

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

/**
 * What one service's pods run, in the plan's terms: a `ServicePlan` satisfies it, and so do
 * the arguments another program gives `ModelService`.
 */
export interface ServiceSpec {
    /** Service name (RFC 1035 label). */
    name: string;
    /** `<owner>/<name>`: vLLM's served model name. */
    accessName: string;
    model: string;
    task: ServiceTask;
    /** GPUs per instance = tensor-parallel size. */
    gpus: number;
    maxModelLen?: number;
    image?: string;
    engineArgs: readonly string[];
    dtype: WeightsDtype;
    quantization?: Quantization;
    gpuMemoryUtilization: number;
    /** The model's source; `model` is served as written when omitted. */
    source?: ModelSource;
    /** Hugging Face commit of the model (`--revision`). */
    revision?: string;
    /** Where the weights are cached; decides the path vLLM loads. @default "emptyDir" */
    cacheKind?: ModelCacheKind;
    /** LoRA adapters the pods serve. */
    lora?: LoraPlan;
}

/** The image a service runs. */
export function serviceImage(service: Pick<ServiceSpec, "image" | "task">): string {
    return service.image ?? (service.task === ServiceTask.ImageGeneration ? images.vllmOmni : images.vllm);
}

/** The container command and arguments of a service's vLLM server. */
export function vllmCommand(service: ServiceSpec): { command: string[]; args: string[] } {
    const f = platformFlags;
    const model = service.source ? servedPath(service.source, service.revision, service.cacheKind ?? ModelCacheKind.EmptyDir, false) : service.model;
    const args = [model, f.servedModelName.flag, service.accessName, f.host.flag, "0.0.0.0", f.port.flag, String(vllmPort)];
    if (service.revision !== undefined) {
        args.push(f.revision.flag, service.revision);
    }
    if (service.task === ServiceTask.ImageGeneration) {
        // vLLM-Omni serves diffusion models behind the same `vllm serve`, with /v1/images/generations.
        args.push("--omni");
    }
    // vLLM-Omni copies --tensor-parallel-size into its DiffusionParallelConfig and forwards
    // --dtype and --quantization; its diffusion stage never reads --gpu-memory-utilization,
    // so image generation does not get it (config refuses it there).
    args.push(f.tensorParallelSize.flag, String(service.gpus));
    if (service.task !== ServiceTask.ImageGeneration) {
        args.push(f.gpuMemoryUtilization.flag, String(service.gpuMemoryUtilization));
    }
    if (service.maxModelLen !== undefined) {
        args.push(f.maxModelLen.flag, String(service.maxModelLen));
    }
    if (service.dtype !== WeightsDtype.Auto) {
        args.push(f.dtype.flag, service.dtype);
    }
    if (service.quantization !== undefined) {
        args.push(f.quantization.flag, service.quantization);
    }
    if (service.task === ServiceTask.Embedding) {
        args.push("--runner", "pooling", "--convert", "embed");
    }
    if (service.task === ServiceTask.Vision) {
        args.push("--limit-mm-per-prompt", JSON.stringify({ image: 4 }));
    }
    args.push(...loraArgs(service.lora, service.accessName));
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
export function podResources(service: Pick<ServiceSpec, "gpus">, instanceType: string): PodResources {
    const type = findGpuInstanceType(instanceType);
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

/** The human status of a Deployment: `Running 2/2`, `Starting 0/1`, `Stopped`. */
export function deploymentStatus(desired: number, ready: number | undefined): string {
    if (desired === 0) {
        return "Stopped";
    }
    const up = ready ?? 0;
    return `${up >= desired ? "Running" : "Starting"} ${up}/${desired}`;
}
