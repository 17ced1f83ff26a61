import { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, describeContainer, imageRepository, workloadOfResource } from "./lib/kubernetes";
import { str } from "./lib/values";

/**
 * A digest kubelet pulls: the algorithms go-digest (which kubelet parses references with)
 * supports, each with its hex length. The OCI grammar allows other algorithms, which it refuses.
 */
const digestPattern = /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

/** What is wrong with an image reference's pin, or undefined when it is pinned. */
export function unpinnedReason(image: string): string | undefined {
    const at = image.indexOf("@");
    if (at !== -1) {
        // A digest (`repo@sha256:…`, with or without a tag) pins the content itself, when it is one.
        const digest = image.slice(at + 1);
        return digestPattern.test(digest) ? undefined : `has a malformed digest "${digest}" (a digest is sha256:<64 hex digits>, sha384:<96> or sha512:<128>), so no node can pull it`;
    }
    const tag = image.slice(imageRepository(image).length + 1);
    if (tag === "") {
        return "has no tag, so it runs whatever `latest` is when a node pulls it";
    }
    if (tag === "latest") {
        return "uses the moving tag `latest`";
    }
    return undefined;
}

/**
 * Every container image is pinned to a release tag or a digest, so a node that pulls it
 * later (a new replica, a replaced node) runs the same code as the others.
 */
export const k8sImagePinned: ResourceValidationPolicy = {
    name: "k8s-image-pinned",
    description: "Every container image is pinned: a tag other than `latest`, or a digest.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const w = workloadOfResource(args);
        if (!w) {
            return;
        }
        for (const c of containers(w.podSpec)) {
            const image = str(c.spec.image);
            const reason = image === undefined ? undefined : unpinnedReason(image);
            if (image !== undefined && reason !== undefined) {
                reportViolation(
                    `${describeContainer(c, w)} image "${image}" ${reason}: pin a release tag (${imageRepository(image)}:<version>) or a digest (${imageRepository(image)}@sha256:<digest>).`,
                );
            }
        }
    },
};
