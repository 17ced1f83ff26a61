import { describe, expect, it } from "vitest";
import { k8sVllmShmForTensorParallel } from "./k8s-vllm-shm-for-tensor-parallel";
import { changed, compliantStack, firstContainer, vllmDeployment } from "./lib/fixtures";
import { resourceViolations, unknownDuringPreview } from "./lib/testing";

const vllm = vllmDeployment();
const podSpec = (p: Record<string, any>) => p.spec.template.spec;
const oneGpu = (p: Record<string, any>) => {
    const c = firstContainer(p);
    c.args = c.args.slice(0, -2);
    c.resources.requests["nvidia.com/gpu"] = "1";
    c.resources.limits["nvidia.com/gpu"] = "1";
};
const fix = 'add a volume {name: "dshm", emptyDir: {medium: "Memory", sizeLimit: "<a few GiB per GPU>"}} and mount it at /dev/shm';

describe("k8s-vllm-shm-for-tensor-parallel", () => {
    it("passes every compliant fixture", async () => {
        for (const r of compliantStack()) {
            expect(await resourceViolations(k8sVllmShmForTensorParallel, r), r.name).toEqual([]);
        }
    });

    it("does not ask a one-GPU vLLM for shared memory", async () => {
        const single = changed(vllm, (p) => {
            oneGpu(p);
            firstContainer(p).volumeMounts.pop();
            podSpec(p).volumes.pop();
        });
        expect(await resourceViolations(k8sVllmShmForTensorParallel, single)).toEqual([]);
    });

    it.each([
        [
            "no /dev/shm mount",
            (p: Record<string, any>) => firstContainer(p).volumeMounts.pop(),
            `container "vllm" of Deployment "vllm-qwen-32b" runs vLLM with tensor parallel 2 but has no memory-backed /dev/shm (NCCL needs more than the runtime's 64 MiB default): ${fix}.`,
        ],
        [
            "/dev/shm on a disk-backed emptyDir",
            (p: Record<string, any>) => (podSpec(p).volumes[1].emptyDir = { sizeLimit: "16Gi" }),
            `container "vllm" of Deployment "vllm-qwen-32b" runs vLLM with tensor parallel 2 and mounts /dev/shm from volume "dshm", which is not an emptyDir with medium Memory: ${fix}.`,
        ],
        [
            "/dev/shm from a host path",
            (p: Record<string, any>) => (podSpec(p).volumes[1] = { name: "dshm", hostPath: { path: "/dev/shm" } }),
            `container "vllm" of Deployment "vllm-qwen-32b" runs vLLM with tensor parallel 2 and mounts /dev/shm from volume "dshm", which is not an emptyDir with medium Memory: ${fix}.`,
        ],
        [
            "pipeline parallel and no /dev/shm",
            (p: Record<string, any>) => {
                oneGpu(p);
                firstContainer(p).args.push("--pipeline-parallel-size=2", "-tp", "2");
                firstContainer(p).volumeMounts.pop();
            },
            `container "vllm" of Deployment "vllm-qwen-32b" runs vLLM with tensor parallel 2 × pipeline parallel 2 but has no memory-backed /dev/shm (NCCL needs more than the runtime's 64 MiB default): ${fix}.`,
        ],
        [
            "pipeline parallel by the short flags and no /dev/shm",
            (p: Record<string, any>) => {
                oneGpu(p);
                firstContainer(p).args.push("-tp", "2", "-pp", "2");
                firstContainer(p).volumeMounts.pop();
            },
            `container "vllm" of Deployment "vllm-qwen-32b" runs vLLM with tensor parallel 2 × pipeline parallel 2 but has no memory-backed /dev/shm (NCCL needs more than the runtime's 64 MiB default): ${fix}.`,
        ],
        [
            "two GPUs, no tensor-parallel flag and no /dev/shm",
            (p: Record<string, any>) => {
                firstContainer(p).args = firstContainer(p).args.slice(0, -2);
                firstContainer(p).volumeMounts.pop();
            },
            `container "vllm" of Deployment "vllm-qwen-32b" runs vLLM with 2 GPUs but has no memory-backed /dev/shm (NCCL needs more than the runtime's 64 MiB default): ${fix}.`,
        ],
    ])("rejects %s", async (_, change, message) => {
        expect(await resourceViolations(k8sVllmShmForTensorParallel, changed(vllm, change))).toEqual([message]);
    });

    it.each(["/dev/shm/", "/dev/shm//"])("accepts the memory-backed volume mounted at %s", async (mountPath) => {
        const trailing = changed(vllm, (p) => (firstContainer(p).volumeMounts[1].mountPath = mountPath));
        expect(await resourceViolations(k8sVllmShmForTensorParallel, trailing)).toEqual([]);
    });

    it("leaves a multi-GPU container that is not vLLM alone", async () => {
        const triton = changed(vllm, (p) => {
            Object.assign(firstContainer(p), { name: "triton", image: "nvcr.io/nvidia/tritonserver:25.01-py3", command: ["tritonserver"], args: ["--model-repository=/models"] });
            firstContainer(p).volumeMounts.pop();
        });
        expect(await resourceViolations(k8sVllmShmForTensorParallel, triton)).toEqual([]);
    });

    it("waits for volumes that are unknown during preview", async () => {
        const unknown = changed(vllm, (p) => {
            podSpec(p).volumes[1].emptyDir = unknownDuringPreview;
        });
        expect(await resourceViolations(k8sVllmShmForTensorParallel, unknown)).toEqual([]);
    });
});
