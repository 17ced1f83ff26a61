import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { accessNameLeaf, ArgsCheck } from "../config/args";
import { checkServiceSettings } from "../config/serviceRules";
import { defaults, Quantization, ServiceTask, WeightsDtype } from "../config/rules";
import { nodeGroupSchema, serviceSchema } from "../config/schema";
import { gpuTaint, nodeGroupLabel, serviceBackendHost, serviceLabels, serviceObjectName, serviceSelector, typeTokenPrefix, vllmPort } from "../conventions";
import { autoscaledStatus } from "../plan/autoscalePlan";
import { GatewayRoute } from "../plan/gateway";
import { deploymentStatus, modelCachePath, podResources, probeTiming, ServiceSpec, serviceImage, vllmCommand } from "../plan/servicePlan";

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
     * owns the field, never resets it and sees no drift when it moves. @default false
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
    return {
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

/** The vLLM container and the pod's volumes for one service. */
function vllmPod(args: ModelServiceArgs, service: ServiceSpec, instanceType: string, hfTokenSecret: string | undefined) {
    const { command, args: vllmArgs } = vllmCommand(service);
    const resources = podResources(service, instanceType);
    const env: k8s.types.input.core.v1.EnvVar[] = [
        { name: "HF_HOME", value: modelCachePath },
        ...Object.entries(args.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
    ];
    if (hfTokenSecret) {
        env.push({ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: hfTokenSecret, key: "token" } } });
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
    const container: k8s.types.input.core.v1.Container = {
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
    };
    return { containers: [container], volumes };
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
        const pod = pulumi
            .all([inputs, args.huggingFaceTokenSecret])
            .apply(([resolved, hfTokenSecret]) => vllmPod(args, serviceSpec(args, resolved), resolved.instanceType ?? "", hfTokenSecret));
        const nodeSelector = args.nodeSelector ?? inputs.apply((resolved) => ({ [nodeGroupLabel]: resolved.nodeGroup ?? "" }));

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
                            containers: pod.containers,
                            volumes: pod.volumes,
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
