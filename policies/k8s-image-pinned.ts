import { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, describeContainer, imageRepository, workloadOfResource } from "./lib/kubernetes";
import { str } from "./lib/values";

/** What is wrong with an image reference's pin, or undefined when it is pinned. */
export function unpinnedReason(image: string): string | undefined {
    if (image.includes("@")) {
        // A digest (`repo@sha256:…`, with or without a tag) pins the content itself.
        return undefined;
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
