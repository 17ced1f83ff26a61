/**
 * Platform conventions: the labels, taint, resource names and Kubernetes object names that
 * the components write, the policies check, the scripts read and the simulated cluster
 * reproduces. Written once here; the names are part of the contract (renaming one replaces
 * or orphans deployed objects).
 */

/** Prefix of every component's type token: `model-services:index:<ClassName>`. */
export const typeTokenPrefix = "model-services:index";

/** The value of `app.kubernetes.io/part-of` on every object the platform creates. */
export const platformName = "model-services";

/** `app.kubernetes.io/part-of` and `managed-by` labels of every object. */
export const platformLabels = {
    "app.kubernetes.io/part-of": platformName,
    "app.kubernetes.io/managed-by": "pulumi",
} as const;

/** AWS tag every cloud resource carries. */
export const partOfTag = { "model-services.io/part-of": platformName } as const;

/** Label every node of a GPU node group carries and GPU pods select on. */
export const nodeGroupLabel = "model-services.io/node-group";
/** Label carrying a service's stable ID on every object of the service (billing). */
export const serviceIdLabel = "model-services.io/service-id";
/** Label carrying a service's name on every object of the service. */
export const serviceNameLabel = "model-services.io/service";
/** The taint GPU nodes carry and GPU pods tolerate. */
export const gpuTaint = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" } as const;
/** The extended resource GPUs are requested by. */
export const gpuResource = "nvidia.com/gpu";

/** Port vLLM listens on inside the pod and the ClusterIP Service exposes. */
export const vllmPort = 8000;

/** Kubernetes object name of a service's Deployment, Service and PodDisruptionBudget. */
export function serviceObjectName(serviceName: string): string {
    return `vllm-${serviceName}`;
}

/** In-cluster DNS name of a service's ClusterIP Service: what the gateway routes to. */
export function serviceBackendHost(serviceName: string, namespace: string): string {
    return `${serviceObjectName(serviceName)}.${namespace}.svc.cluster.local`;
}

/** The access name clients put in a request's `model` field. */
export function accessName(owner: string, serviceName: string): string {
    return `${owner}/${serviceName}`;
}

/** Kubernetes name of the gateway's Deployment, Service and PodDisruptionBudget. */
export const gatewayObjectName = "model-gateway";
/** Kubernetes name of the Secret holding the Envoy config (it holds the keys: never a ConfigMap). */
export const gatewayConfigSecretName = "model-gateway-config";
/** Kubernetes name of the Secret holding the gateway's clusters (`cds.json`), apart so each Secret stays under 1 MiB. */
export const gatewayClustersSecretName = "model-gateway-config-clusters";
/** `app.kubernetes.io/component` of the gateway's objects. */
export const gatewayComponent = "api-gateway";
/** Labels the gateway's pods are selected by. */
export const gatewaySelector = { "app.kubernetes.io/name": "envoy", "app.kubernetes.io/instance": gatewayObjectName } as const;

/**
 * The playground's own API key: its name in the key Secret and at the gateway (reserved: no
 * `apiKeys[].name` may use it while the playground is enabled).
 */
export const playgroundKeyName = "playground";
/** Kubernetes name of the playground's (Open WebUI's) Deployment and Service. */
export const playgroundObjectName = "playground";
/** Kubernetes name of the Secret holding Open WebUI's session-signing key (`WEBUI_SECRET_KEY`). */
export const playgroundSecretName = "playground-webui";
/** `app.kubernetes.io/component` of the playground's objects. */
export const playgroundComponent = "playground";
/** Labels the playground's pods are selected by. */
export const playgroundSelector = { "app.kubernetes.io/name": "open-webui", "app.kubernetes.io/instance": playgroundObjectName } as const;

/** Kubernetes object name of the Secret that holds every API key, one data entry per key name. */
export const apiKeySecretName = "model-services-api-keys";
/** Kubernetes object name of the Secret holding the Hugging Face token under `token`. */
export const huggingFaceTokenSecretName = "huggingface-token";
/** StorageClass of the EFS file system the platform creates for shared model caches on a cluster it creates. */
export const efsStorageClassName = "model-services-efs";

/** Kubernetes' recommended labels plus the service's own, for every object of a service. */
export function serviceLabels(serviceName: string, serviceId: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": "vllm",
        "app.kubernetes.io/instance": serviceObjectName(serviceName),
        "app.kubernetes.io/component": "model-server",
        ...platformLabels,
        [serviceNameLabel]: serviceName,
        [serviceIdLabel]: serviceId,
    };
}

/** The labels a service's pods are selected by: fixed for the life of the service. */
export function serviceSelector(serviceName: string): Record<string, string> {
    return {
        "app.kubernetes.io/instance": serviceObjectName(serviceName),
        [serviceNameLabel]: serviceName,
    };
}
