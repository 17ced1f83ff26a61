import { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, describeContainer, resourceList, workloadOfResource } from "./lib/kubernetes";
import { isUnknown } from "./lib/values";

const required = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

/**
 * Every container (init containers too) sets CPU and memory requests and limits: the
 * scheduler packs GPU nodes by requests, and a container without limits can starve the
 * vLLM server next to it of the node's memory.
 */
export const k8sContainerResources: ResourceValidationPolicy = {
    name: "k8s-container-resources",
    description: "Every container sets resources.requests and resources.limits for cpu and memory.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const w = workloadOfResource(args);
        if (!w) {
            return;
        }
        for (const c of containers(w.podSpec)) {
            const lists = { requests: resourceList(c, "requests"), limits: resourceList(c, "limits") };
            if (isUnknown(lists.requests) || isUnknown(lists.limits)) {
                continue;
            }
            const missing = required.filter((entry) => {
                const [field, resource] = entry.split(".") as ["requests" | "limits", string];
                const value = (lists[field] as Record<string, unknown>)[resource];
                return value === undefined || value === null || value === "";
            });
            if (missing.length > 0) {
                reportViolation(`${describeContainer(c, w)} sets no resources.${missing.join(", resources.")}: set cpu and memory in both resources.requests and resources.limits.`);
            }
        }
    },
};
