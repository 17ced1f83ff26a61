import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ModelSource } from "../config/modelSource";
import { defaults, ModelCacheKind, Quantization, ServiceTask, WeightsDtype } from "../config/rules";
import { loraPlan } from "../plan/lora";
import { fetchCommand, modelCacheMountPath, preloadJobName, servedPath } from "../plan/modelCache";
import { gpuTaint, nodeGroupLabel, platformLabels, serviceBackendHost, serviceIdLabel, serviceLabels, serviceObjectName, serviceSelector, typeTokenPrefix, vllmPort } from "../conventions";
import { deploymentStatus, modelCachePath, podResources, probeTiming, ServiceSpec, serviceImage, vllmCommand } from "../plan/servicePlan";
import { cachePodParts, fetchResources, ModelCacheArgs, SourceRef } from "./modelCachePod";

/** A LoRA adapter the service's pods serve (an adapter service of the plan). */
export interface ServedAdapterArgs {
    /** The adapter service's access name: vLLM serves the adapter under it. */
    accessName: string;
    source: ModelSource;
    /** Hugging Face commit of the adapter; needs a node-local or shared cache. */
    revision?: string;
    /** The adapter's LoRA rank. */
    rank: number;
}

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
    /** vLLM pods; 0 stops the service and keeps its ID. */
    instances: number;
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
    /** The model's source (`parseModelSource`). @default `model` served as written */
    source?: ModelSource;
    /** Hugging Face commit the model is pinned to (`--revision`). @default unpinned */
    revision?: string;
    /** LoRA adapters the pods serve (`--enable-lora`, `--lora-modules`, …). @default [] */
    adapters?: ServedAdapterArgs[];
    /** vLLM `--max-lora-rank`. @default the smallest of vLLM's choices that holds every adapter */
    maxLoraRank?: number;
    /** Where the weights are kept between pod starts. @default an emptyDir of modelCacheGiB */
    modelCache?: ModelCacheArgs;
    /** What the startup probe allows for download, load and warm-up, seconds. @default 3600 */
    startupSeconds?: number;
    /** How long Pulumi waits for a shared cache's preload Job, seconds. @default 3600 */
    preloadSeconds?: number;
    /** ServiceAccount of the pods and the preload Job (EKS Pod Identity for s3:// sources). @default the namespace's default */
    serviceAccountName?: pulumi.Input<string>;
    /** A Secret with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for s3:// sources. @default none */
    awsCredentialsSecret?: pulumi.Input<string>;
}

const defaultModelCacheGiB = 200;

/** The args with every default filled in. */
function serviceSpec(args: ModelServiceArgs): ServiceSpec {
    const cacheKind = args.modelCache?.kind ?? ModelCacheKind.EmptyDir;
    return {
        source: args.source,
        revision: args.revision,
        cacheKind,
        lora: loraPlan((args.adapters ?? []).map((a) => ({ name: a.accessName, path: servedPath(a.source, a.revision, cacheKind, true), rank: a.rank })), args.maxLoraRank),
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

        const credentials: k8s.types.input.core.v1.EnvVar[] = [];
        if (args.huggingFaceTokenSecret) {
            credentials.push({ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: args.huggingFaceTokenSecret, key: "token" } } });
        }
        const envFrom = args.awsCredentialsSecret ? [{ secretRef: { name: args.awsCredentialsSecret } }] : undefined;
        const image = serviceImage(service);
        const sources: SourceRef[] = [
            ...(args.source ? [{ source: args.source, revision: args.revision }] : []),
            ...(args.adapters ?? []).map((a) => ({ source: a.source, revision: a.revision })),
        ];
        const cache = cachePodParts(sources, args.modelCache ?? { kind: ModelCacheKind.EmptyDir, sizeGiB: args.modelCacheGiB }, image, modelCachePath, defaultModelCacheGiB, { env: credentials, envFrom });
        const env: k8s.types.input.core.v1.EnvVar[] = [
            ...Object.entries(cache.env).map(([envName, value]) => ({ name: envName, value })),
            ...Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
            ...credentials,
        ];
        const volumes = cache.volumes;
        const volumeMounts = cache.mounts;
        if (resources.shmSizeGiB !== undefined) {
            volumes.push({ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: `${resources.shmSizeGiB}Gi` } });
            volumeMounts.push({ name: "dshm", mountPath: "/dev/shm" });
        }
        const startupSeconds = args.startupSeconds ?? probeTiming.startupSeconds;

        const preloadName = preloadJobName(objectName, cache.preloadItems);
        const preloadLabels = this.serviceId.apply((serviceId) => ({
            ...platformLabels,
            "app.kubernetes.io/name": "model-preload",
            "app.kubernetes.io/instance": preloadName,
            "app.kubernetes.io/component": "model-preload",
            [serviceIdLabel]: serviceId,
        }));
        // A shared cache is filled once, by a Job the Deployment waits for (Pulumi awaits a Job's completion).
        const preload =
            cache.preloadItems.length > 0
                ? new k8s.batch.v1.Job(
                      `${name}-preload`,
                      {
                          metadata: {
                              name: preloadName,
                              namespace: args.namespace,
                              labels: preloadLabels,
                              annotations: { "pulumi.com/timeoutSeconds": String(args.preloadSeconds ?? probeTiming.startupSeconds) },
                          },
                          spec: {
                              backoffLimit: 6,
                              template: {
                                  // Not the service's selector labels: the Service and the PodDisruptionBudget must not count this pod.
                                  metadata: { labels: preloadLabels },
                                  spec: {
                                      restartPolicy: "OnFailure",
                                      serviceAccountName: args.serviceAccountName,
                                      containers: [
                                          {
                                              name: "model-fetch",
                                              image,
                                              command: fetchCommand(cache.preloadItems, false),
                                              env: credentials,
                                              envFrom,
                                              volumeMounts: [{ name: "model-cache", mountPath: modelCacheMountPath }],
                                              resources: fetchResources,
                                          },
                                      ],
                                      volumes: [{ name: "model-cache", persistentVolumeClaim: { claimName: args.modelCache?.claimName ?? "" } }],
                                  },
                              },
                          },
                      },
                      { parent: this },
                  )
                : undefined;
        const health = { path: "/health", port: "http" };

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    ...metadata,
                    annotations: {
                        // Pulumi waits for the rollout; the budget covers a cold model load.
                        "pulumi.com/timeoutSeconds": String(startupSeconds + 600),
                    },
                },
                spec: {
                    replicas: args.instances,
                    selector: { matchLabels: selector },
                    // GPUs are the scarce resource: replace pods in place rather than surge onto GPUs nobody planned for.
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
                    template: {
                        metadata: { labels },
                        spec: {
                            nodeSelector: { [nodeGroupLabel]: args.nodeGroup },
                            tolerations: [{ key: gpuTaint.key, operator: "Equal", value: gpuTaint.value, effect: gpuTaint.effect }],
                            terminationGracePeriodSeconds: 60,
                            serviceAccountName: args.serviceAccountName,
                            initContainers: cache.initContainers.length ? cache.initContainers : undefined,
                            containers: [
                                {
                                    name: "vllm",
                                    image,
                                    command,
                                    args: vllmArgs,
                                    ports: [{ name: "http", containerPort: vllmPort }],
                                    env,
                                    envFrom,
                                    resources: { requests: resources.requests, limits: resources.limits },
                                    volumeMounts,
                                    startupProbe: {
                                        httpGet: health,
                                        periodSeconds: probeTiming.startupPeriodSeconds,
                                        failureThreshold: Math.ceil(startupSeconds / probeTiming.startupPeriodSeconds),
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
            { parent: this, dependsOn: preload ? [preload] : [] },
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
            .apply(([replicas, status]) => deploymentStatus(replicas ?? args.instances, status?.readyReplicas));

        this.registerOutputs({ serviceId: this.serviceId, backendHost: this.backendHost, status: this.status });
    }
}
