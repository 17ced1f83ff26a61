import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { platformLabels, serviceIdLabel } from "../conventions";
import { fetchCommand, modelCacheMountPath, preloadJobName } from "../plan/modelCache";
import { fetchResources, ModelCacheArgs, preloadItemsOf, SourceRef } from "./modelCachePod";

/** What a service's preload Job is made of (plain where its existence and name depend on it). */
export interface PreloadJobArgs {
    namespace: pulumi.Input<string>;
    /** The service's object name (`vllm-<name>`); the Job's name derives from it and what it fetches. */
    objectName: string;
    serviceId: pulumi.Input<string>;
    sources: readonly SourceRef[];
    cache?: ModelCacheArgs;
    image: pulumi.Input<string>;
    env: k8s.types.input.core.v1.EnvVar[];
    envFrom?: k8s.types.input.core.v1.EnvFromSource[];
    serviceAccountName?: pulumi.Input<string>;
    /** How long Pulumi waits for the Job, seconds. */
    timeoutSeconds: number;
}

/**
 * A shared cache's preload Job: fills the ReadWriteMany volume once, before the Deployment
 * (Pulumi awaits a Job's completion). Undefined when the cache is not shared or has nothing
 * to fetch. A changed source or revision changes the name, so the Job is replaced.
 */
export function preloadJob(parent: pulumi.Resource, name: string, args: PreloadJobArgs): k8s.batch.v1.Job | undefined {
    const items = preloadItemsOf(args.sources, args.cache);
    if (items.length === 0) {
        return undefined;
    }
    const jobName = preloadJobName(args.objectName, items);
    const labels = pulumi.output(args.serviceId).apply((serviceId) => ({
        ...platformLabels,
        "app.kubernetes.io/name": "model-preload",
        "app.kubernetes.io/instance": jobName,
        "app.kubernetes.io/component": "model-preload",
        [serviceIdLabel]: serviceId,
    }));
    return new k8s.batch.v1.Job(
        `${name}-preload`,
        {
            metadata: { name: jobName, namespace: args.namespace, labels, annotations: { "pulumi.com/timeoutSeconds": String(args.timeoutSeconds) } },
            spec: {
                backoffLimit: 6,
                template: {
                    // Not the service's selector labels: the Service and the PodDisruptionBudget must not count this pod.
                    metadata: { labels },
                    spec: {
                        restartPolicy: "OnFailure",
                        serviceAccountName: args.serviceAccountName,
                        containers: [
                            {
                                name: "model-fetch",
                                image: args.image,
                                command: fetchCommand(items, false),
                                env: args.env,
                                envFrom: args.envFrom,
                                volumeMounts: [{ name: "model-cache", mountPath: modelCacheMountPath }],
                                resources: fetchResources,
                            },
                        ],
                        volumes: [{ name: "model-cache", persistentVolumeClaim: { claimName: args.cache?.claimName ?? "" } }],
                    },
                },
            },
        },
        { parent },
    );
}
