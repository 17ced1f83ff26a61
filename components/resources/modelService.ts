import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { defaults, Quantization, ServiceTask, WeightsDtype } from "../config/rules";
import { gpuTaint, nodeGroupLabel, serviceBackendHost, serviceLabels, serviceObjectName, serviceSelector, typeTokenPrefix, vllmPort } from "../conventions";
import { autoscaledStatus } from "../plan/autoscalePlan";
import { deploymentStatus, modelCachePath, podResources, probeTiming, ServiceSpec, serviceImage, vllmCommand } from "../plan/servicePlan";

/** A model service in the plan's terms: a `ServicePlan` from `planPlatform` satisfies it. */
export interface ModelServiceArgs {
    /** Namespace of the service's objects. */
    namespace: pulumi.Input<string>;
    /** Service name, an RFC 1035 label (≤ 40): the Kubernetes objects are `vllm-<name>`. */
    name: string;
    /** `<owner>/<name>`: vLLM's served model name and the request's `model`. */
    accessName: string;
    /** Base model: a Hugging Face repo id or a path in the model cache. */
    model: string;
    /** What the model serves. @default "chat" */
    task?: ServiceTask;
    /** vLLM pods; 0 stops the service and keeps its ID. Ignored when `autoscaled`. */
    instances: number;
    /**
     * An autoscaler (KEDA's HPA, see `ServiceAutoscaler`) owns the Deployment's replicas: the
     * object Pulumi applies leaves `spec.replicas` out, so with server-side apply Pulumi never
     * owns the field, never resets it and sees no drift when it moves. @default false
     */
    autoscaled?: boolean;
    /** GPUs per instance = vLLM's tensor-parallel size. @default 1 */
    gpus?: number;
    /** Node group the pods run on: they select nodes labelled `model-services.io/node-group=<nodeGroup>` and tolerate the GPU taint. */
    nodeGroup: string;
    /** Instance type of the node group; the pods' CPU and memory are their share of it. @default 4 CPUs and 16 GiB per pod */
    instanceType?: string;
    /** vLLM `--max-model-len`. @default the model's own maximum */
    maxModelLen?: number;
    /** Container image. @default the pinned vLLM (or vLLM-Omni for image generation) image */
    image?: string;
    /** Extra vLLM arguments, appended verbatim. @default [] */
    engineArgs?: readonly string[];
    /** Extra (non-secret) environment variables. @default {} */
    env?: Record<string, string>;
    /** vLLM `--dtype`. @default "auto" */
    dtype?: WeightsDtype;
    /** vLLM `--quantization`. @default none */
    quantization?: Quantization;
    /** vLLM `--gpu-memory-utilization`. @default 0.9 */
    gpuMemoryUtilization?: number;
    /** Name of a Secret holding the Hugging Face token under `token`; none when omitted. */
    huggingFaceTokenSecret?: pulumi.Input<string>;
    /** Size limit of the per-pod model cache, GiB. @default 200 */
    modelCacheGiB?: number;
}

const defaultModelCacheGiB = 200;

/** The args with every default filled in. */
function serviceSpec(args: ModelServiceArgs): ServiceSpec {
    return {
        name: args.name,
        accessName: args.accessName,
        model: args.model,
        task: args.task ?? defaults.task,
        gpus: args.gpus ?? 1,
        maxModelLen: args.maxModelLen,
        image: args.image,
        engineArgs: args.engineArgs ?? [],
        dtype: args.dtype ?? defaults.dtype,
        quantization: args.quantization,
        gpuMemoryUtilization: args.gpuMemoryUtilization ?? defaults.gpuMemoryUtilization,
    };
}

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
        super(`${typeTokenPrefix}:ModelService`, name, {}, opts);
        const service = serviceSpec(args);
        const objectName = serviceObjectName(service.name);

        const id = new random.RandomId(`${name}-id`, { byteLength: 6 }, { parent: this });
        this.serviceId = pulumi.interpolate`ms-${id.hex}`;

        const labels = this.serviceId.apply((serviceId) => serviceLabels(service.name, serviceId));
        const selector = serviceSelector(service.name);
        const metadata = { name: objectName, namespace: args.namespace, labels };
        const { command, args: vllmArgs } = vllmCommand(service);
        const resources = podResources(service, args.instanceType ?? "");

        const env: k8s.types.input.core.v1.EnvVar[] = [
            { name: "HF_HOME", value: modelCachePath },
            ...Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
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
                    ...(args.autoscaled ? {} : { replicas: args.instances }),
                    selector: { matchLabels: selector },
                    // GPUs are the scarce resource: replace pods in place rather than surge onto GPUs nobody planned for.
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
                    template: {
                        metadata: { labels },
                        spec: {
                            nodeSelector: { [nodeGroupLabel]: args.nodeGroup },
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
            .apply(([replicas, status]) =>
                args.autoscaled ? autoscaledStatus(replicas ?? 0, status?.readyReplicas) : deploymentStatus(replicas ?? args.instances, status?.readyReplicas),
            );

        this.registerOutputs({ serviceId: this.serviceId, backendHost: this.backendHost, status: this.status });
    }
}
