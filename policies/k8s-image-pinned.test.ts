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

describe("k8s-image-pinned: a digest pins only when it is one", () => {
    let unpinnedReason: typeof import("./k8s-image-pinned").unpinnedReason;

    // The digest grammar is a module constant: import it afresh so that each test sees it as loaded now.
    beforeEach(async () => {
        vi.resetModules();
        unpinnedReason = (await import("./k8s-image-pinned")).unpinnedReason;
    });

    const hex = (n: number) => "0123456789abcdef".repeat(8).slice(0, n);

    it.each([
        ["sha256 with its 64 hex digits", `vllm/vllm-openai@sha256:${hex(64)}`],
        ["sha512 with its 128 hex digits", `vllm/vllm-openai@sha512:${hex(64)}${hex(64)}`],
        ["a tag before the digest", `vllm/vllm-openai:v0.26.0@sha256:${hex(64)}`],
        ["sha384 with its 96 hex digits", `vllm/vllm-openai@sha384:${hex(64)}${hex(32)}`],
    ])("accepts %s", (_, image) => {
        expect(unpinnedReason(image)).toBeUndefined();
    });

    it.each([
        ["nothing after @", "vllm/vllm-openai@", ""],
        ["a tag after @", "vllm/vllm-openai@latest", "latest"],
        ["sha256 one digit short", `vllm/vllm-openai@sha256:${hex(63)}`, `sha256:${hex(63)}`],
        ["sha256 one digit long", `vllm/vllm-openai@sha256:${hex(64)}0`, `sha256:${hex(64)}0`],
        ["sha256 in upper case", `vllm/vllm-openai@sha256:${hex(64).toUpperCase()}`, `sha256:${hex(64).toUpperCase()}`],
        ["sha512 with sha256's length", `vllm/vllm-openai@sha512:${hex(64)}`, `sha512:${hex(64)}`],
        ["an algorithm in upper case", "vllm/vllm-openai@SHA256:abc", "SHA256:abc"],
        ["an algorithm ending in a separator", "vllm/vllm-openai@sha-:abc", "sha-:abc"],
        ["an algorithm the OCI grammar allows but kubelet does not", "vllm/vllm-openai@multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"],
        ["md5", `vllm/vllm-openai@md5:${hex(32)}`, `md5:${hex(32)}`],
        ["sha384 with sha512's length", `vllm/vllm-openai@sha384:${hex(64)}${hex(64)}`, `sha384:${hex(64)}${hex(64)}`],
        ["text before the algorithm", "vllm/vllm-openai@ sha256:" + hex(64), " sha256:" + hex(64)],
    ])("refuses %s", (_, image, digest) => {
        expect(unpinnedReason(image)).toBe(`has a malformed digest "${digest}" (a digest is sha256:<64 hex digits>, sha384:<96> or sha512:<128>), so no node can pull it`);
    });

    it("says so in the violation, with the fix", async () => {
        const policy = (await import("./k8s-image-pinned")).k8sImagePinned;
        expect(await resourceViolations(policy, changed(vllmDeployment(), (p) => (firstContainer(p).image = "vllm/vllm-openai@latest")))).toEqual([
            'container "vllm" of Deployment "vllm-qwen-32b" image "vllm/vllm-openai@latest" has a malformed digest "latest" (a digest is sha256:<64 hex digits>, sha384:<96> or sha512:<128>), so no node can pull it: pin a release tag (vllm/vllm-openai:<version>) or a digest (vllm/vllm-openai@sha256:<digest>).',
        ]);
    });
});
