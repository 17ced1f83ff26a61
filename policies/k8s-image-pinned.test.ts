import { beforeEach, describe, expect, it, vi } from "vitest";
import { k8sImagePinned } from "./k8s-image-pinned";
import { changed, compliantStack, devicePluginDaemonSet, firstContainer, vllmDeployment } from "./lib/fixtures";
import { resourceViolations, unknownDuringPreview } from "./lib/testing";

const vllm = vllmDeployment();

describe("k8s-image-pinned", () => {
    it("passes every compliant fixture", async () => {
        for (const r of compliantStack()) {
            expect(await resourceViolations(k8sImagePinned, r), r.name).toEqual([]);
        }
    });

    it.each([
        ["a digest", "vllm/vllm-openai@sha256:" + "0".repeat(64)],
        ["a tag and a digest", "vllm/vllm-openai:v0.26.0@sha256:" + "0".repeat(64)],
        ["a registry with a port and a tag", "registry.local:5000/vllm/vllm-openai:v0.26.0"],
    ])("accepts %s", async (_, image) => {
        expect(await resourceViolations(k8sImagePinned, changed(vllm, (p) => (firstContainer(p).image = image)))).toEqual([]);
    });

    it.each([
        [
            "the latest tag",
            "vllm/vllm-openai:latest",
            'container "vllm" of Deployment "vllm-qwen-32b" image "vllm/vllm-openai:latest" uses the moving tag `latest`: pin a release tag (vllm/vllm-openai:<version>) or a digest (vllm/vllm-openai@sha256:<digest>).',
        ],
        [
            "no tag",
            "vllm/vllm-openai",
            'container "vllm" of Deployment "vllm-qwen-32b" image "vllm/vllm-openai" has no tag, so it runs whatever `latest` is when a node pulls it: pin a release tag (vllm/vllm-openai:<version>) or a digest (vllm/vllm-openai@sha256:<digest>).',
        ],
        [
            "no tag behind a registry port",
            "registry.local:5000/vllm/vllm-openai",
            'container "vllm" of Deployment "vllm-qwen-32b" image "registry.local:5000/vllm/vllm-openai" has no tag, so it runs whatever `latest` is when a node pulls it: pin a release tag (registry.local:5000/vllm/vllm-openai:<version>) or a digest (registry.local:5000/vllm/vllm-openai@sha256:<digest>).',
        ],
    ])("rejects %s", async (_, image, message) => {
        expect(await resourceViolations(k8sImagePinned, changed(vllm, (p) => (firstContainer(p).image = image)))).toEqual([message]);
    });

    it("checks init containers and other workload kinds", async () => {
        const withInit = changed(vllm, (p) => (p.spec.template.spec.initContainers = [{ name: "fetch", image: "busybox" }]));
        expect(await resourceViolations(k8sImagePinned, withInit)).toEqual([
            'init container "fetch" of Deployment "vllm-qwen-32b" image "busybox" has no tag, so it runs whatever `latest` is when a node pulls it: pin a release tag (busybox:<version>) or a digest (busybox@sha256:<digest>).',
        ]);
        const daemonSet = changed(devicePluginDaemonSet(), (p) => (firstContainer(p).image = "nvcr.io/nvidia/k8s-device-plugin:latest"));
        expect(await resourceViolations(k8sImagePinned, daemonSet)).toEqual([
            'container "nvidia-device-plugin" of DaemonSet "nvidia-device-plugin" image "nvcr.io/nvidia/k8s-device-plugin:latest" uses the moving tag `latest`: pin a release tag (nvcr.io/nvidia/k8s-device-plugin:<version>) or a digest (nvcr.io/nvidia/k8s-device-plugin@sha256:<digest>).',
        ]);
    });

    it("names a workload without metadata.name by its Pulumi name", async () => {
        const unnamed = changed(vllm, (p) => {
            delete p.metadata.name;
            firstContainer(p).image = "vllm/vllm-openai:latest";
        });
        expect((await resourceViolations(k8sImagePinned, unnamed))[0]).toMatch(/^container "vllm" of Deployment "model-services-qwen-32b-deployment" image/);
    });

    it("waits for an image that is unknown during preview", async () => {
        expect(await resourceViolations(k8sImagePinned, changed(vllm, (p) => (firstContainer(p).image = unknownDuringPreview)))).toEqual([]);
    });
});

describe("k8s-image-pinned as the pack declares it", () => {
    let policy: typeof k8sImagePinned;

    // The declaration is a module constant: import it afresh so that each test sees the module as loaded now.
    beforeEach(async () => {
        vi.resetModules();
        policy = (await import("./k8s-image-pinned")).k8sImagePinned;
    });

    it("has the name and description `pulumi preview` shows beside its violations", () => {
        expect([policy.name, policy.description, policy.enforcementLevel]).toEqual([
            "k8s-image-pinned",
            "Every container image is pinned: a tag other than `latest`, or a digest.",
            "mandatory",
        ]);
    });
});
