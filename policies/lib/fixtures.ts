import { gatewayComponent, gatewayConfigSecretName, gatewayObjectName, gatewaySelector, gpuResource, gpuTaint, huggingFaceTokenSecretName, nodeGroupLabel, platformLabels, serviceIdLabel, serviceNameLabel } from "../../components/conventions";
import { TestResource } from "./testing";

/**
 * Compliant resources for the policy specs, written out by hand the way a program (the
 * platform's components or anyone else's) would register them. Every spec starts from
 * these and changes one field per case.
 */

const namespace = "model-services";
const serviceId = "ms-0123456789ab";

/** The labels of the `qwen-32b` service's objects and pods. */
export const vllmLabels = {
    "app.kubernetes.io/name": "vllm",
    "app.kubernetes.io/instance": "vllm-qwen-32b",
    [serviceNameLabel]: "qwen-32b",
    [serviceIdLabel]: serviceId,
};
export const vllmSelector = { "app.kubernetes.io/instance": "vllm-qwen-32b", [serviceNameLabel]: "qwen-32b" };

const health = { httpGet: { path: "/health", port: "http" } };

/** A 2-GPU (tensor parallel 2) vLLM service with two instances. */
export function vllmDeployment(): TestResource {
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: "model-services-qwen-32b-deployment",
        props: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "vllm-qwen-32b", namespace, labels: { ...vllmLabels } },
            spec: {
                replicas: 2,
                selector: { matchLabels: { ...vllmSelector } },
                template: {
                    metadata: { labels: { ...vllmLabels } },
                    spec: {
                        nodeSelector: { [nodeGroupLabel]: "gpu-l40s" },
                        tolerations: [{ key: gpuTaint.key, operator: "Equal", value: gpuTaint.value, effect: gpuTaint.effect }],
                        containers: [
                            {
                                name: "vllm",
                                image: "vllm/vllm-openai:v0.26.0",
                                command: ["vllm", "serve"],
                                args: ["Qwen/Qwen3-32B", "--revision", "0123456789abcdef0123456789abcdef01234567", "--served-model-name", "u-8105f7322477/qwen-32b", "--port", "8000", "--tensor-parallel-size", "2"],
                                ports: [{ name: "http", containerPort: 8000 }],
                                env: [
                                    { name: "HF_HOME", value: "/root/.cache/huggingface" },
                                    { name: "TOKENIZERS_PARALLELISM", value: "false" },
                                    { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: huggingFaceTokenSecretName, key: "token" } } },
                                ],
                                resources: {
                                    requests: { cpu: "23", memory: "162Gi", [gpuResource]: "2" },
                                    limits: { cpu: "23", memory: "162Gi", [gpuResource]: "2" },
                                },
                                volumeMounts: [
                                    { name: "model-cache", mountPath: "/root/.cache/huggingface" },
                                    { name: "dshm", mountPath: "/dev/shm" },
                                ],
                                startupProbe: { ...health, periodSeconds: 10, failureThreshold: 360 },
                                readinessProbe: { ...health, periodSeconds: 5, failureThreshold: 3 },
                                livenessProbe: { ...health, periodSeconds: 15, failureThreshold: 4, timeoutSeconds: 5 },
                            },
                        ],
                        volumes: [
                            { name: "model-cache", emptyDir: { sizeLimit: "200Gi" } },
                            { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "16Gi" } },
                        ],
                    },
                },
            },
        },
    };
}

/** `vllmDeployment`'s pod template as a bare Pod, with the Deployment's metadata. */
export function vllmPod(): TestResource {
    const { metadata, spec } = vllmDeployment().props;
    return { type: "kubernetes:core/v1:Pod", name: "vllm-pod", props: { metadata, spec: spec.template.spec } };
}

/** The ClusterIP Service in front of `vllmDeployment`. */
export function vllmService(): TestResource {
    return {
        type: "kubernetes:core/v1:Service",
        name: "model-services-qwen-32b-service",
        props: {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "vllm-qwen-32b", namespace, labels: { ...vllmLabels } },
            spec: { type: "ClusterIP", selector: { ...vllmSelector }, ports: [{ name: "http", port: 8000, targetPort: "http" }] },
        },
    };
}

/** The PodDisruptionBudget of `vllmDeployment`. */
export function vllmPdb(): TestResource {
    return {
        type: "kubernetes:policy/v1:PodDisruptionBudget",
        name: "model-services-qwen-32b-pdb",
        props: {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: "vllm-qwen-32b", namespace, labels: { ...vllmLabels } },
            spec: { maxUnavailable: 1, selector: { matchLabels: { ...vllmSelector } } },
        },
    };
}

export const gatewayLabels = { ...gatewaySelector, "app.kubernetes.io/component": gatewayComponent, ...platformLabels };

/** An Envoy gateway: a public listener, a readiness listener and the admin port (on loopback, declared for port-forward). */
export function gatewayDeployment(): TestResource {
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: "model-services-gateway-deployment",
        props: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: gatewayObjectName, namespace, labels: { ...gatewayLabels } },
            spec: {
                replicas: 2,
                selector: { matchLabels: { ...gatewaySelector } },
                template: {
                    metadata: { labels: { ...gatewayLabels } },
                    spec: {
                        containers: [
                            {
                                name: "envoy",
                                image: "envoyproxy/envoy:v1.36.2",
                                args: ["--config-path", "/etc/envoy/envoy.yaml"],
                                ports: [
                                    { name: "http", containerPort: 8080 },
                                    { name: "ready", containerPort: 8081 },
                                    { name: "admin", containerPort: 9901 },
                                ],
                                resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                                volumeMounts: [{ name: "config", mountPath: "/etc/envoy", readOnly: true }],
                                readinessProbe: { httpGet: { path: "/ready", port: "ready" } },
                            },
                        ],
                        volumes: [{ name: "config", secret: { secretName: gatewayConfigSecretName } }],
                    },
                },
            },
        },
    };
}

export function gatewayService(): TestResource {
    return {
        type: "kubernetes:core/v1:Service",
        name: "model-services-gateway-service",
        props: {
            apiVersion: "v1",
            kind: "Service",
            metadata: {
                name: gatewayObjectName,
                namespace,
                labels: { ...gatewayLabels },
                annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "external", "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" },
            },
            spec: { type: "LoadBalancer", selector: { ...gatewaySelector }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
        },
    };
}

export function gatewayPdb(): TestResource {
    return {
        type: "kubernetes:policy/v1:PodDisruptionBudget",
        name: "model-services-gateway-pdb",
        props: {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: gatewayObjectName, namespace, labels: { ...gatewayLabels } },
            spec: { maxUnavailable: 1, selector: { matchLabels: { ...gatewaySelector } } },
        },
    };
}

/** The gateway's Envoy config, keys and all, in a Secret. */
export function gatewayConfigSecret(): TestResource {
    return {
        type: "kubernetes:core/v1:Secret",
        name: "model-services-gateway-config",
        props: {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: gatewayConfigSecretName, namespace, labels: { ...gatewayLabels } },
            type: "Opaque",
            stringData: { "envoy.yaml": `credentials: [{key: "sk-${"a1B2c3D4".repeat(6)}", client: app-prod}]` },
        },
    };
}

/** A ConfigMap without credentials. */
export function configMap(): TestResource {
    return {
        type: "kubernetes:core/v1:ConfigMap",
        name: "model-services-gateway-errors",
        props: {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: `${gatewayObjectName}-errors`, namespace, labels: { ...gatewayLabels } },
            data: { "401.json": '{"error": {"message": "Invalid API key", "type": "invalid_request_error", "code": "invalid_api_key"}}' },
        },
    };
}

/** NVIDIA's device plugin: no GPU of its own, but it must run on (and tolerate) every GPU node. */
export function devicePluginDaemonSet(): TestResource {
    return {
        type: "kubernetes:apps/v1:DaemonSet",
        name: "model-services-device-plugin-daemonset",
        props: {
            apiVersion: "apps/v1",
            kind: "DaemonSet",
            metadata: { name: "nvidia-device-plugin", namespace: "kube-system" },
            spec: {
                selector: { matchLabels: { "app.kubernetes.io/name": "nvidia-device-plugin" } },
                template: {
                    metadata: { labels: { "app.kubernetes.io/name": "nvidia-device-plugin" } },
                    spec: {
                        affinity: {
                            nodeAffinity: {
                                requiredDuringSchedulingIgnoredDuringExecution: {
                                    nodeSelectorTerms: [{ matchExpressions: [{ key: nodeGroupLabel, operator: "In", values: ["gpu-l40s"] }] }],
                                },
                            },
                        },
                        tolerations: [{ key: gpuTaint.key, operator: "Exists", effect: gpuTaint.effect }],
                        containers: [
                            {
                                name: "nvidia-device-plugin",
                                image: "nvcr.io/nvidia/k8s-device-plugin:v0.17.4",
                                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
                            },
                        ],
                    },
                },
            },
        },
    };
}

/** An EKS managed node group of one g6e.12xlarge (4 × L40S). */
export function eksNodeGroup(): TestResource {
    return {
        type: "aws:eks/nodeGroup:NodeGroup",
        name: "model-services-gpu-l40s-nodes",
        props: {
            clusterName: "model-services-dev",
            nodeGroupNamePrefix: "gpu-l40s-",
            instanceTypes: ["g6e.12xlarge"],
            amiType: "AL2023_x86_64_NVIDIA",
            capacityType: "ON_DEMAND",
            scalingConfig: { minSize: 0, desiredSize: 1, maxSize: 2 },
            labels: { [nodeGroupLabel]: "gpu-l40s" },
            taints: [{ key: gpuTaint.key, value: gpuTaint.value, effect: "NO_SCHEDULE" }],
        },
    };
}

/** Only the gateway's pods may reach the model pods. */
export function modelNetworkPolicy(): TestResource {
    return {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "model-services-network-policy-policy",
        props: {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "model-pods-ingress", namespace },
            spec: {
                podSelector: { matchExpressions: [{ key: serviceNameLabel, operator: "Exists" }] },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ podSelector: { matchLabels: { ...gatewaySelector } } }], ports: [{ protocol: "TCP", port: 8000 }] }],
            },
        },
    };
}

/** Every fixture: a small compliant stack. */
export function compliantStack(): TestResource[] {
    return [vllmDeployment(), vllmService(), vllmPdb(), gatewayDeployment(), gatewayService(), gatewayPdb(), gatewayConfigSecret(), configMap(), devicePluginDaemonSet(), eksNodeGroup(), modelNetworkPolicy()];
}

/** A copy of a fixture with one change. */
export function changed(resource: TestResource, change: (props: Record<string, any>) => void): TestResource {
    const copy = structuredClone(resource);
    change(copy.props);
    return copy;
}

/** The first container of a workload fixture's pod template. */
export function firstContainer(props: Record<string, any>): Record<string, any> {
    return props.spec.template.spec.containers[0];
}
