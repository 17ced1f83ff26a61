import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    deploymentStatus,
    gpuTaint,
    modelCachePath,
    nodeGroupLabel,
    podResources,
    probeTiming,
    serviceBackendHost,
    serviceImage,
    serviceLabels,
    serviceObjectName,
    serviceSelector,
    vllmCommand,
    vllmPort,
} from "./servicePlan";
import { NodeGroupConfig, ServiceConfig } from "./types";

export interface ModelServiceArgs {
    /** Namespace of the service's objects. */
    namespace: pulumi.Input<string>;
    /** The service, as parsed and planned by `parseConfig`. */
    service: ServiceConfig;
    /** The node group the service runs on (its instance type sizes the pods). */
    nodeGroup: NodeGroupConfig;
    /** `<owner>/<name>`: vLLM's served model name and the request's `model`. */
    accessName: string;
    /** Name of a Secret holding the Hugging Face token under `token`; none when omitted. */
    huggingFaceTokenSecret?: pulumi.Input<string>;
    /** Size limit of the per-pod model cache. @default 200 */
    modelCacheGiB?: number;
}

const defaultModelCacheGiB = 200;

/**
 * One model service: a stable service ID, a vLLM Deployment on the GPUs of its node group,
 * a ClusterIP Service (the gateway is the only way in) and a PodDisruptionBudget.
 */
export class ModelService extends pulumi.ComponentResource {
    /** Stable ID for billing and tracking; generated once, kept across scaling and stops. */
    public readonly serviceId: pulumi.Output<string>;
    /** In-cluster host name of the service's ClusterIP Service. */
    public readonly backendHost: pulumi.Output<string>;
    /** Live status of the Deployment: `Running 2/2`, `Starting 0/1`, `Stopped`. */
    public readonly status: pulumi.Output<string>;

    constructor(name: string, args: ModelServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("model-services:index:ModelService", name, {}, opts);
        const { service, nodeGroup } = args;
        const objectName = serviceObjectName(service.name);

        const id = new random.RandomId(`${name}-id`, { byteLength: 6 }, { parent: this });
        this.serviceId = pulumi.interpolate`ms-${id.hex}`;

        const labels = this.serviceId.apply((serviceId) => serviceLabels(service.name, serviceId));
        const selector = serviceSelector(service.name);
        const metadata = { name: objectName, namespace: args.namespace, labels };
        const { command, args: vllmArgs } = vllmCommand(service, args.accessName);
        const resources = podResources(service, nodeGroup);

        const env: k8s.types.input.core.v1.EnvVar[] = [
            { name: "HF_HOME", value: modelCachePath },
            ...Object.entries(service.env).map(([envName, value]) => ({ name: envName, value })),
        ];
        if (args.huggingFaceTokenSecret) {
            env.push({ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: args.huggingFaceTokenSecret, key: "token" } } });
        }
        const volumes: k8s.types.input.core.v1.Volume[] = [
            { name: "model-cache", emptyDir: { sizeLimit: `${args.modelCacheGiB ?? defaultModelCacheGiB}Gi` } },
        ];
        const volumeMounts: k8s.types.input.core.v1.VolumeMount[] = [{ name: "model-cache", mountPath: modelCachePath }];
        if (resources.shmSizeGiB !== undefined) {
            volumes.push({ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: `${resources.shmSizeGiB}Gi` } });
            volumeMounts.push({ name: "dshm", mountPath: "/dev/shm" });
        }
        const health = { path: "/health", port: "http" };

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    ...metadata,
                    annotations: {
                        // Pulumi waits for the rollout; the budget covers a cold model load.
                        "pulumi.com/timeoutSeconds": String(probeTiming.startupSeconds + 600),
                    },
                },
                spec: {
                    replicas: service.instances,
                    selector: { matchLabels: selector },
                    // GPUs are the scarce resource: replace pods in place rather than surge onto GPUs nobody planned for.
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
                    template: {
                        metadata: { labels },
                        spec: {
                            nodeSelector: { [nodeGroupLabel]: nodeGroup.name },
                            tolerations: [{ key: gpuTaint.key, operator: "Equal", value: gpuTaint.value, effect: gpuTaint.effect }],
                            terminationGracePeriodSeconds: 60,
                            containers: [
                                {
                                    name: "vllm",
                                    image: serviceImage(service),
                                    command,
                                    args: vllmArgs,
                                    ports: [{ name: "http", containerPort: vllmPort }],
                                    env,
                                    resources: { requests: resources.requests, limits: resources.limits },
                                    volumeMounts,
                                    startupProbe: {
                                        httpGet: health,
                                        periodSeconds: probeTiming.startupPeriodSeconds,
                                        failureThreshold: probeTiming.startupSeconds / probeTiming.startupPeriodSeconds,
                                    },
                                    readinessProbe: { httpGet: health, periodSeconds: probeTiming.readinessPeriodSeconds, failureThreshold: 3 },
                                    livenessProbe: {
                                        httpGet: health,
                                        periodSeconds: probeTiming.livenessPeriodSeconds,
                                        failureThreshold: probeTiming.livenessFailureThreshold,
                                        timeoutSeconds: 5,
                                    },
                                },
                            ],
                            volumes,
                        },
                    },
                },
            },
            { parent: this },
        );

        const svc = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata,
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: vllmPort, targetPort: "http" }] },
            },
            { parent: this },
        );

        // Always present (not only when instances > 1) so scaling 1 → 3 changes replicas alone.
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
            { parent: this },
        );

        this.backendHost = svc.metadata.namespace.apply((namespace) => serviceBackendHost(service.name, namespace));
        this.status = pulumi
            .all([deployment.spec.replicas, deployment.status])
            .apply(([replicas, status]) => deploymentStatus(replicas ?? service.instances, status?.readyReplicas));

        this.registerOutputs({ serviceId: this.serviceId, backendHost: this.backendHost, status: this.status });
    }
}
