import { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, describeContainer, imageRepository, workloadOfResource } from "./lib/kubernetes";
import { str } from "./lib/values";

/** The OCI image spec's digest grammar, with sha256's and sha512's own lengths. */
const digestPattern = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}|(?!sha256:|sha512:)[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+)$/;

/** What is wrong with an image reference's pin, or undefined when it is pinned. */
export function unpinnedReason(image: string): string | undefined {
    const at = image.indexOf("@");
    if (at !== -1) {
        // A digest (`repo@sha256:…`, with or without a tag) pins the content itself, when it is
        // one: the OCI image spec's `algorithm ":" encoded`. Kubelet refuses anything else.
        const digest = image.slice(at + 1);
        return digestPattern.test(digest) ? undefined : `has a malformed digest "${digest}" (a digest is <algorithm>:<encoded>, as in sha256:<64 hex digits>), so no node can pull it`;
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
