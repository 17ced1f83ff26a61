import { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, describeContainer, isVllmContainer, workloadOfResource } from "./lib/kubernetes";
import { isUnknown, list, record, str } from "./lib/values";

/**
 * Serving pods mount shared model caches read-only. A cache shared between pods (a
 * ReadWriteMany volume, or a directory on the node) is written by one download step (the
 * preload Job, or the locked model-fetch init container on a node): a vLLM server that can
 * write to it could corrupt the weights every other pod loads.
 */
export const k8sModelCacheReadOnly: ResourceValidationPolicy = {
    name: "k8s-model-cache-read-only",
    description: "Pods running vLLM mount PersistentVolumeClaims read-only, and their vLLM containers mount node directories (hostPath) read-only.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const w = workloadOfResource(args);
        if (!w || isUnknown(w.podSpec.volumes)) {
            return;
        }
        const all = containers(w.podSpec);
        if (!all.some(isVllmContainer)) {
            return;
        }
        const kinds = new Map(
            list(w.podSpec.volumes)
                .map(record)
                .filter((v) => v !== undefined)
                .map((v) => [str(v!.name), v!.persistentVolumeClaim ? "PersistentVolumeClaim" : v!.hostPath ? "hostPath" : undefined] as const),
        );
        for (const c of all) {
            if (isUnknown(c.spec.volumeMounts)) {
                continue;
            }
            for (const mount of list(c.spec.volumeMounts).map(record)) {
                // A name not known yet (a preview) may be any volume's: the check waits for it.
                const name = str(mount?.name);
                const kind = name === undefined ? undefined : kinds.get(name);
                const shared = kind === "PersistentVolumeClaim" || (kind === "hostPath" && isVllmContainer(c));
                // A readOnly not known yet (a preview) waits too.
                if (shared && !isUnknown(mount?.readOnly) && mount?.readOnly !== true) {
                    reportViolation(
                        `${describeContainer(c, w)} mounts ${kind} volume "${name}" writable at ${str(mount?.mountPath)}: mount shared model caches read-only (readOnly: true); only the preload Job, or the locked model-fetch step on a node, writes them.`,
                    );
                }
            }
        }
    },
};
