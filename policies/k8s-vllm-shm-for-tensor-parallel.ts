import { ResourceValidationPolicy } from "@pulumi/policy";
import { commandWords, Container, containerGpus, containers, describeContainer, flagValue, isVllmContainer, workloadOfResource } from "./lib/kubernetes";
import { isUnknown, list, num, record, str } from "./lib/values";

/** How many GPU workers a vLLM container runs: tensor × pipeline parallel from its flags, or its GPUs if more. */
export function vllmWorkers(container: Container): { workers: number; tensorParallel: number; pipelineParallel: number; gpus: number } | undefined {
    const words = commandWords(container);
    const tensorParallel = num(flagValue(words, "--tensor-parallel-size", "-tp")) ?? 1;
    const pipelineParallel = num(flagValue(words, "--pipeline-parallel-size", "-pp")) ?? 1;
    const gpus = containerGpus(container);
    if (gpus === undefined) {
        return undefined;
    }
    return { workers: Math.max(tensorParallel * pipelineParallel, gpus), tensorParallel, pipelineParallel, gpus };
}

const dev = "/dev/shm";

/**
 * A vLLM container with more than one GPU worker (tensor or pipeline parallel) mounts a
 * memory-backed emptyDir at /dev/shm: NCCL exchanges data between the workers through
 * shared memory, and the container runtime's default of 64 MiB makes it fail or crawl.
 */
export const k8sVllmShmForTensorParallel: ResourceValidationPolicy = {
    name: "k8s-vllm-shm-for-tensor-parallel",
    description: "vLLM containers with tensor (or pipeline) parallel > 1 mount a memory-backed emptyDir at /dev/shm.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const w = workloadOfResource(args);
        if (!w || isUnknown(w.podSpec.volumes)) {
            return;
        }
        const volumes = list(w.podSpec.volumes).map(record);
        for (const c of containers(w.podSpec).filter(isVllmContainer)) {
            const parallel = vllmWorkers(c);
            if (!parallel || parallel.workers <= 1 || isUnknown(c.spec.volumeMounts)) {
                continue;
            }
            const how =
                parallel.tensorParallel * parallel.pipelineParallel > 1
                    ? `tensor parallel ${parallel.tensorParallel}${parallel.pipelineParallel > 1 ? ` × pipeline parallel ${parallel.pipelineParallel}` : ""}`
                    : `${parallel.gpus} GPUs`;
            const fix = `add a volume {name: "dshm", emptyDir: {medium: "Memory", sizeLimit: "<a few GiB per GPU>"}} and mount it at ${dev}`;
            const mount = list(c.spec.volumeMounts)
                .map(record)
                .find((m) => str(m?.mountPath)?.replace(/\/+$/, "") === dev);
            if (!mount) {
                reportViolation(
                    `${describeContainer(c, w)} runs vLLM with ${how} but has no memory-backed ${dev} (NCCL needs more than the runtime's 64 MiB default): ${fix}.`,
                );
                continue;
            }
            const volumeName = str(mount.name);
            const volume = volumes.find((v) => str(v?.name) === volumeName);
            if (volume && isUnknown(volume.emptyDir)) {
                continue;
            }
            if (str(record(volume?.emptyDir)?.medium) !== "Memory") {
                reportViolation(
                    `${describeContainer(c, w)} runs vLLM with ${how} and mounts ${dev} from volume "${volumeName}", which is not an emptyDir with medium Memory: ${fix}.`,
                );
            }
        }
    },
};
