import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { accessNameLeaf, ArgsCheck } from "../config/args";
import { checkServiceSettings } from "../config/serviceRules";
import { ModelSource } from "../config/modelSource";
import { defaults, ModelCacheKind, Quantization, ServiceTask, WeightsDtype } from "../config/rules";
import { nodeGroupSchema, serviceSchema } from "../config/schema";
import { gpuTaint, nodeGroupLabel, serviceBackendHost, serviceLabels, serviceObjectName, serviceSelector, typeTokenPrefix, vllmPort } from "../conventions";
import { autoscaledStatus } from "../plan/autoscalePlan";
import { GatewayRoute } from "../plan/gateway";
import { loraPlan } from "../plan/lora";
import { servedPath } from "../plan/modelCache";
import { deploymentStatus, modelCachePath, podResources, probeTiming, ServiceSpec, serviceImage, vllmCommand } from "../plan/servicePlan";
import { cachePodParts, credentialEnv, ModelCacheArgs, sourcesOf } from "./modelCachePod";
import { preloadJob } from "./modelPreload";

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

/**
 * A model service: a `ServicePlan` from `planPlatform` satisfies it, and a program can pass
 * outputs of other resources where a field is a `pulumi.Input`. Checked with the stack
 * config's own rules and messages (`args.instances: expected a whole number ≥ 0, …`).
 */
export interface ModelServiceArgs {
    /** Namespace of the service's objects. */
    namespace: pulumi.Input<string>;
    /** Service name, an RFC 1035 label (≤ 40): the Kubernetes objects are `vllm-<name>`. */
    name: string;
    /** `<owner>/<name>`: vLLM's served model name and the request's `model`. */
    accessName: pulumi.Input<string>;
    /** Base model: a Hugging Face repo id or a path in the model cache. */
    model: pulumi.Input<string>;
    /** What the model serves. @default "chat" */
    task?: ServiceTask;
    /** vLLM pods; 0 stops the service and keeps its ID. Ignored when `autoscaled`. */
    instances: pulumi.Input<number>;
    /**
     * An autoscaler (KEDA's HPA, see `ServiceAutoscaler`) owns the Deployment's replicas: the
     * object Pulumi applies leaves `spec.replicas` out, so with server-side apply Pulumi never
     * owns the field, never resets it and sees no drift when it moves; `up` does not wait for
     * its pods (`pulumi.com/skipAwait`). @default false
     */
    autoscaled?: boolean;
    /** GPUs per instance = vLLM's tensor-parallel size. @default 1 */
    gpus?: pulumi.Input<number>;
    /**
     * Node group the pods run on: they select nodes labelled `model-services.io/node-group=<nodeGroup>`
     * and tolerate the GPU taint. Required unless `nodeSelector` is given.
     * @default none
     */
    nodeGroup?: pulumi.Input<string>;
    /**
     * The pods' node selector, e.g. a `GpuNodeGroup`'s `nodeSelector` output.
     * @default `{ "model-services.io/node-group": <nodeGroup> }`
     */
    nodeSelector?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Instance type of the node group; the pods' CPU and memory are their share of it. @default 4 CPUs and 16 GiB per pod */
    instanceType?: pulumi.Input<string>;
    /** vLLM `--max-model-len`. @default the model's own maximum */
    maxModelLen?: number;
    /** Container image. @default the pinned vLLM (or vLLM-Omni for image generation) image */
    image?: pulumi.Input<string>;
    /** Extra vLLM arguments, appended verbatim. @default [] */
    engineArgs?: string[];
    /** Extra (non-secret) environment variables. @default {} */
    env?: Record<string, string>;
    /** vLLM `--dtype`. @default "auto" */
    dtype?: WeightsDtype;
    /** vLLM `--quantization`. @default none */
    quantization?: Quantization;
    /** vLLM `--gpu-memory-utilization`. @default 0.9 */
    gpuMemoryUtilization?: number;
    /** Name of a Secret holding the Hugging Face token under `token`. @default none */
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

/** The Input fields of the args, each checked by the config rule it mirrors. */
interface ResolvedInputs {
    accessName: string;
    model: string;
    instances: number;
    gpus: number | undefined;
    nodeGroup: string | undefined;
    instanceType: string | undefined;
    image: string | undefined;
}

/** Checks every plain field now (throwing one `ConfigError`) and every Input field when it resolves. */
function checkArgs(name: string, args: ModelServiceArgs): pulumi.Output<ResolvedInputs> {
    const check = new ArgsCheck(`ModelService "${name}" args`);
    const leaf = serviceSchema.shape;
    check.plain("name", leaf.name, args.name);
    check.plain("task", leaf.task, args.task);
    check.plain("maxModelLen", leaf.maxModelLen, args.maxModelLen);
    check.plain("engineArgs", leaf.engineArgs, args.engineArgs);
    check.plain("env", leaf.env, args.env);
    check.plain("dtype", leaf.dtype, args.dtype);
    check.plain("quantization", leaf.quantization, args.quantization);
    check.plain("gpuMemoryUtilization", leaf.gpuMemoryUtilization, args.gpuMemoryUtilization);
    checkServiceSettings(check.issues, "args", args);
    if (args.nodeGroup === undefined && args.nodeSelector === undefined) {
        check.issues.add("args.nodeGroup", undefined, "is missing; expected the name of a node group", "name the node group the pods run on, or give nodeSelector");
    }
    const inputs: pulumi.Output<ResolvedInputs> = pulumi.output({
        accessName: check.input("accessName", accessNameLeaf, args.accessName),
        model: check.input("model", leaf.model, args.model),
        instances: check.input("instances", leaf.instances, args.instances),
        gpus: check.input("gpus", leaf.gpus, args.gpus),
        nodeGroup: check.input("nodeGroup", leaf.nodeGroup, args.nodeGroup),
        instanceType: check.input("instanceType", nodeGroupSchema.shape.instanceType, args.instanceType),
        image: check.input("image", leaf.image, args.image),
    });
    check.throwIfInvalid();
    return inputs;
}

/** The args with every default filled in. */
function serviceSpec(args: ModelServiceArgs, inputs: ResolvedInputs): ServiceSpec {
    const cacheKind = args.modelCache?.kind ?? ModelCacheKind.EmptyDir;
    return {
        source: args.source,
        revision: args.revision,
        cacheKind,
        lora: loraPlan((args.adapters ?? []).map((a) => ({ name: a.accessName, path: servedPath(a.source, a.revision, cacheKind, true), rank: a.rank })), args.maxLoraRank),
        name: args.name,
        accessName: inputs.accessName,
        model: inputs.model,
        task: args.task ?? defaults.task,
        gpus: inputs.gpus ?? 1,
        maxModelLen: args.maxModelLen,
        image: inputs.image,
        engineArgs: args.engineArgs ?? [],
        dtype: args.dtype ?? defaults.dtype,
        quantization: args.quantization,
        gpuMemoryUtilization: args.gpuMemoryUtilization ?? defaults.gpuMemoryUtilization,
    };
}

/** The resolved Input args the pod needs beyond the checked ones. */
interface PodSecrets {
    hfTokenSecret?: string;
    awsCredentialsSecret?: string;
    serviceAccountName?: string;
    claimName?: string;
}

/** The vLLM container, its cache steps and the pod's volumes for one service. */
function vllmPod(args: ModelServiceArgs, service: ServiceSpec, instanceType: string, secrets: PodSecrets) {
    const { command, args: vllmArgs } = vllmCommand(service);
    const resources = podResources(service, instanceType);
    const credentials = credentialEnv(secrets.hfTokenSecret, secrets.awsCredentialsSecret);
    const image = serviceImage(service);
    const cacheArgs = { ...(args.modelCache ?? { kind: ModelCacheKind.EmptyDir, sizeGiB: args.modelCacheGiB }), claimName: secrets.claimName };
    const cache = cachePodParts(sourcesOf(args), cacheArgs, image, modelCachePath, defaultModelCacheGiB, credentials);
    const env: k8s.types.input.core.v1.EnvVar[] = [
        ...Object.entries(cache.env).map(([envName, value]) => ({ name: envName, value })),
        ...Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
        ...credentials.env,
    ];
    const volumes = cache.volumes;
    const volumeMounts = cache.mounts;
    if (resources.shmSizeGiB !== undefined) {
        volumes.push({ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: `${resources.shmSizeGiB}Gi` } });
        volumeMounts.push({ name: "dshm", mountPath: "/dev/shm" });
    }
    const startupSeconds = args.startupSeconds ?? probeTiming.startupSeconds;
    const health = { path: "/health", port: "http" };
    const container: k8s.types.input.core.v1.Container = {
        name: "vllm",
        image,
        command,
        args: vllmArgs,
        ports: [{ name: "http", containerPort: vllmPort }],
        env,
        envFrom: credentials.envFrom,
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
    };
    return {
        containers: [container],
        initContainers: cache.initContainers.length ? cache.initContainers : undefined,
        volumes,
        serviceAccountName: secrets.serviceAccountName,
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
    /** The service as an `ApiGateway` route: pass it in the gateway's `routes`. */
    public readonly route: pulumi.Output<GatewayRoute>;

    constructor(name: string, args: ModelServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before the component registers: bad args create nothing.
        const inputs = checkArgs(name, args);
        super(`${typeTokenPrefix}:ModelService`, name, {}, opts);
        const task = args.task ?? defaults.task;
        const objectName = serviceObjectName(args.name);

        const id = new random.RandomId(`${name}-id`, { byteLength: 6 }, { parent: this });
        this.serviceId = pulumi.interpolate`ms-${id.hex}`;

        const labels = this.serviceId.apply((serviceId) => serviceLabels(args.name, serviceId));
        const selector = serviceSelector(args.name);
        const metadata = { name: objectName, namespace: args.namespace, labels };
        const secrets: pulumi.Output<PodSecrets> = pulumi.output({
            hfTokenSecret: args.huggingFaceTokenSecret,
            awsCredentialsSecret: args.awsCredentialsSecret,
            serviceAccountName: args.serviceAccountName,
            claimName: args.modelCache?.claimName,
        });
        const pod = pulumi.all([inputs, secrets]).apply(([resolved, s]) => vllmPod(args, serviceSpec(args, resolved), resolved.instanceType ?? "", s));
        // A shared cache is filled once, by a Job the Deployment waits for (Pulumi awaits a Job's completion).
        const preload = preloadJob(this, name, {
            namespace: args.namespace,
            objectName,
            serviceId: this.serviceId,
            sources: sourcesOf(args),
            cache: args.modelCache,
            image: inputs.apply((resolved) => serviceImage({ image: resolved.image, task })),
            ...credentialEnv(args.huggingFaceTokenSecret, args.awsCredentialsSecret),
            serviceAccountName: args.serviceAccountName,
            timeoutSeconds: args.preloadSeconds ?? probeTiming.startupSeconds,
        });
        const nodeSelector = args.nodeSelector ?? inputs.apply((resolved) => ({ [nodeGroupLabel]: resolved.nodeGroup ?? "" }));

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    ...metadata,
                    annotations: args.autoscaled
                        ? // Its pods come and go with load, and on EKS the nodes under them with Cluster Autoscaler (minutes from zero):
                          // `up` does not wait for them; `status` and the services output report them live.
                          { "pulumi.com/skipAwait": "true" }
                        : // Pulumi waits for the rollout; the budget covers a cold model load.
                          { "pulumi.com/timeoutSeconds": String((args.startupSeconds ?? probeTiming.startupSeconds) + 600) },
                },
                spec: {
                    ...(args.autoscaled ? {} : { replicas: inputs.instances }),
                    selector: { matchLabels: selector },
                    // GPUs are the scarce resource: replace pods in place rather than surge onto GPUs nobody planned for.
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
                    template: {
                        metadata: { labels },
                        spec: {
                            nodeSelector,
                            tolerations: [{ key: gpuTaint.key, operator: "Equal", value: gpuTaint.value, effect: gpuTaint.effect }],
                            terminationGracePeriodSeconds: 60,
                            serviceAccountName: pod.serviceAccountName,
                            initContainers: pod.initContainers,
                            containers: pod.containers,
                            volumes: pod.volumes,
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

        this.backendHost = svc.metadata.namespace.apply((namespace) => serviceBackendHost(args.name, namespace));
        this.status = pulumi
            .all([deployment.spec.replicas, deployment.status, inputs.instances])
            .apply(([replicas, status, instances]) =>
                args.autoscaled ? autoscaledStatus(replicas ?? 0, status?.readyReplicas) : deploymentStatus(replicas ?? instances, status?.readyReplicas),
            );
        this.route = pulumi.all([inputs, this.backendHost]).apply(
            ([resolved, backendHost]): GatewayRoute => ({
                name: args.name,
                accessName: resolved.accessName,
                task,
                backendHost,
                backendPort: vllmPort,
                instances: resolved.instances,
            }),
        );

        this.registerOutputs({ serviceId: this.serviceId, backendHost: this.backendHost, status: this.status, route: this.route });
    }
}
