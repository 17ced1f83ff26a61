import { readFileSync } from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GpuAmiType, NodeGroupKind } from "../config/rules";
import { huggingFaceTokenSecretName, partOfTag, platformLabels, serviceBackendHost, typeTokenPrefix, vllmPort } from "../conventions";
import { serviceExamples, ServiceExamples } from "../plan/examples";
import { GatewayKey, GatewayRoute } from "../plan/gateway";
import { PlatformPlan } from "../plan/types";
import { ApiGateway } from "./apiGateway";
import { CpuNodeGroup } from "./cpuNodeGroup";
import { EksCluster } from "./eksCluster";
import { GpuNodeGroup } from "./gpuNodeGroup";
import { KeyStore } from "./keyStore";
import { ModelService } from "./modelService";
import { NvidiaDevicePlugin } from "./nvidiaDevicePlugin";

export interface ModelPlatformArgs {
    /** The platform's plan, from `loadPlatform` (config keys) or `planPlatform` (a parsed config). */
    plan: PlatformPlan;
    /** Hugging Face token for gated models; kept in a Secret. */
    huggingFaceToken?: pulumi.Input<string>;
    /**
     * A Kubernetes provider to deploy with instead of one built from `plan.cluster`. Give it
     * `enableSecretMutable: true`, or every key rotation and route change replaces the Secrets
     * and rolls the gateway.
     */
    kubernetesProvider?: k8s.Provider;
}

/** One row of the services table (the `services` stack output). */
export interface ServiceSummary {
    name: string;
    displayName: string;
    accessName: string;
    serviceId: string;
    baseModel: string;
    task: string;
    instances: number;
    gpusPerInstance: number;
    /** GPUs of all instances. */
    totalGpus: number;
    /** The service's share of its nodes' approximate on-demand price (catalog prices). */
    pricePerHourUsd: number;
    nodeGroup: string;
    status: string;
    examples: ServiceExamples;
}

/** The `capacity` stack output: what the cluster needs and costs, priced from the instance catalogs. */
export interface CapacitySummary {
    /** GPUs of all node groups at their desired sizes. */
    totalGpus: number;
    /** GPUs all running services ask for. */
    requestedGpus: number;
    /** Approximate on-demand $/hour of the cluster: GPU nodes + CPU nodes + EKS control plane. */
    pricePerHourUsd: number;
    /** GPU node groups at their desired sizes, idle GPUs included. */
    gpuNodesPricePerHourUsd: number;
    /** CPU node groups (gateway and cluster add-ons). */
    cpuNodesPricePerHourUsd: number;
    /** The EKS control plane fee (0 for an existing cluster or a plain kubeconfig cluster). */
    controlPlanePricePerHourUsd: number;
    /** GPUs provisioned that no service asks for. */
    idleGpus: number;
    /** What those idle GPUs cost. */
    idleGpuPricePerHourUsd: number;
    /** True on a simulated cluster: the prices are what EKS would charge, not a bill. */
    simulated: boolean;
    priceRegion: string;
    priceDate: string;
}

/** One row of the `nodeGroups` stack output. */
export interface NodeGroupSummary {
    name: string;
    /** `gpu` (model services) or `cpu` (gateway and cluster add-ons). */
    kind: string;
    instanceType: string;
    /** GPUs of one node. */
    gpusPerNode: number;
    minSize: number;
    /** Nodes the group runs now. */
    desiredSize: number;
    maxSize: number;
}

/**
 * The whole platform from one parsed config: the cluster connection, GPU node groups, the
 * device plugin where needed, the key store, one ModelService per service and the API
 * gateway in front of them. This is what `stacks/` deploys and what other programs import.
 */
export class ModelPlatform extends pulumi.ComponentResource {
    /** Base URL of the OpenAI-compatible API, ending in `/v1`. */
    public readonly endpoint: pulumi.Output<string>;
    /** The services table. */
    public readonly services: pulumi.Output<ServiceSummary[]>;
    /** API key name → key (secret). */
    public readonly apiKeys: pulumi.Output<Record<string, string>>;
    public readonly nodeGroups: pulumi.Output<NodeGroupSummary[]>;
    /** Total GPUs and approximate $/hour of the node groups at their desired sizes. */
    public readonly capacity: pulumi.Output<CapacitySummary>;
    /** The Kubernetes namespace everything lives in. */
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: ModelPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${typeTokenPrefix}:ModelPlatform`, name, {}, opts);
        const plan = args.plan;
        const child = { parent: this };
        const partOf = { ...platformLabels };

        const eks =
            plan.cluster.kind === "eks"
                ? new EksCluster(
                      `${name}-eks`,
                      { name: plan.cluster.name, create: plan.cluster.create, version: plan.cluster.version, subnetIds: plan.cluster.subnetIds, tags: { ...partOfTag } },
                      child,
                  )
                : undefined;
        // Server-side apply, and Secrets updated in place: key rotation and route changes reach the
        // gateway through its watched directory instead of replacing the Secrets and rolling Envoy.
        const providerBehaviour = { enableServerSideApply: true, enableSecretMutable: true };
        const provider =
            args.kubernetesProvider ??
            new k8s.Provider(
                `${name}-k8s`,
                plan.cluster.kind === "kubeconfig"
                    ? {
                          ...providerBehaviour,
                          // The file's contents (client credentials inside, so a secret), read once per run.
                          kubeconfig: plan.cluster.kubeconfig ? pulumi.secret(readFileSync(plan.cluster.kubeconfig, "utf8")) : undefined,
                          context: plan.cluster.context,
                      }
                    : { ...providerBehaviour, kubeconfig: eks!.kubeconfig },
                child,
            );
        const k8sOpts = { parent: this, provider };
        const simulated = plan.cluster.kind === "kubeconfig" && plan.cluster.simulated;
        // Simulated nodes go through client-side apply: server-side apply drops a Node's status.
        const simulation = simulated
            ? {
                  provider: new k8s.Provider(
                      `${name}-k8s-nodes`,
                      {
                          kubeconfig: plan.cluster.kind === "kubeconfig" && plan.cluster.kubeconfig ? pulumi.secret(readFileSync(plan.cluster.kubeconfig, "utf8")) : undefined,
                          context: plan.cluster.kind === "kubeconfig" ? plan.cluster.context : undefined,
                      },
                      child,
                  ),
              }
            : undefined;

        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: plan.namespace, labels: partOf } }, k8sOpts);
        this.namespace = namespace.metadata.name;

        const services = plan.services.map((service) => {
            const group = plan.nodeGroups.find((g) => g.name === service.nodeGroup);
            if (!group) {
                throw new pulumi.ResourceError(`service "${service.name}" names node group "${service.nodeGroup}", which does not exist`, this);
            }
            return { service, group, accessName: service.accessName };
        });

        let hfSecretName: pulumi.Output<string> | undefined;
        if (args.huggingFaceToken !== undefined) {
            const hf = new k8s.core.v1.Secret(
                `${name}-hf-token`,
                {
                    metadata: { name: huggingFaceTokenSecretName, namespace: this.namespace, labels: partOf },
                    type: "Opaque",
                    stringData: { token: pulumi.secret(args.huggingFaceToken) },
                },
                k8sOpts,
            );
            hfSecretName = hf.metadata.name;
        }

        const modelServices = services.map(
            ({ service, group, accessName: access }) =>
                new ModelService(
                    `${name}-${service.name}`,
                    {
                        namespace: this.namespace,
                        name: service.name,
                        accessName: access,
                        model: service.model,
                        task: service.task,
                        instances: service.instances,
                        gpus: service.gpus,
                        nodeGroup: group.name,
                        instanceType: group.instanceType,
                        maxModelLen: service.maxModelLen,
                        image: service.image,
                        engineArgs: service.engineArgs,
                        env: service.env,
                        dtype: service.dtype,
                        quantization: service.quantization,
                        gpuMemoryUtilization: service.gpuMemoryUtilization,
                        huggingFaceTokenSecret: hfSecretName,
                    },
                    k8sOpts,
                ),
        );

        const eksNodes = eks ? { clusterName: eks.clusterName, subnetIds: eks.subnetIds } : undefined;
        // Nodes join once the cluster's network add-ons exist.
        const nodeOpts = { parent: this, dependsOn: eks?.nodePrerequisites ?? [] };
        plan.nodeGroups
            .filter((g) => g.kind === NodeGroupKind.Gpu)
            .forEach((group) => {
                const placed = services.map((s, i) => ({ s, i })).filter(({ s }) => s.service.nodeGroup === group.name);
                const serviceIds = pulumi.all(Object.fromEntries(placed.map(({ s, i }) => [s.service.name, modelServices[i].serviceId])));
                new GpuNodeGroup(
                    `${name}-${group.name}`,
                    {
                        name: group.name,
                        instanceType: group.instanceType,
                        minSize: group.minSize,
                        desiredSize: group.desiredSize,
                        maxSize: group.maxSize,
                        capacityType: group.capacityType,
                        diskSizeGiB: group.diskSizeGiB,
                        amiType: group.amiType,
                        serviceIds,
                        eks: eksNodes,
                        simulation,
                    },
                    nodeOpts,
                );
            });
        const cpuGroups = plan.nodeGroups
            .filter((g) => g.kind === NodeGroupKind.Cpu)
            .map(
                (group) =>
                    new CpuNodeGroup(
                        `${name}-${group.name}`,
                        {
                            name: group.name,
                            instanceType: group.instanceType,
                            minSize: group.minSize,
                            desiredSize: group.desiredSize,
                            maxSize: group.maxSize,
                            capacityType: group.capacityType,
                            diskSizeGiB: group.diskSizeGiB,
                            amiType: group.amiType,
                            eks: eksNodes,
                            simulation,
                            tags: { ...partOfTag },
                        },
                        nodeOpts,
                    ),
            );
        eks?.coreDnsAddon(`${name}-eks`, cpuGroups);

        // EKS (and its simulation) needs the plugin where the AMI lacks it; another cluster says whether it has one.
        const devicePluginGroups = plan.nodeGroups
            .filter((g) => g.kind === NodeGroupKind.Gpu)
            .filter((g) => (plan.cluster.kind === "eks" || simulated ? g.amiType !== GpuAmiType.BottlerocketNvidia : plan.cluster.nvidiaDevicePlugin))
            .map((g) => g.name);
        if (devicePluginGroups.length > 0) {
            new NvidiaDevicePlugin(`${name}-device-plugin`, { nodeGroups: devicePluginGroups }, k8sOpts);
        }

        const keyStore = new KeyStore(
            `${name}-keys`,
            { namespace: this.namespace, apiKeys: plan.apiKeys, awsSecretsManager: plan.keyStore.awsSecretsManager, labels: partOf },
            k8sOpts,
        );
        this.apiKeys = keyStore.keys;

        const routes: GatewayRoute[] = services.map(({ service, accessName: access }) => ({
            name: service.name,
            accessName: access,
            task: service.task,
            backendHost: serviceBackendHost(service.name, plan.namespace),
            backendPort: vllmPort,
            instances: service.instances,
        }));
        const gatewayKeys: pulumi.Output<GatewayKey[]> = keyStore.keys.apply((values) =>
            plan.apiKeys.map((key) => ({ name: key.name, value: values[key.name], services: key.services, requestsPerMinute: key.requestsPerMinute })),
        );
        const gateway = new ApiGateway(
            `${name}-gateway`,
            {
                namespace: this.namespace,
                routes,
                keys: gatewayKeys,
                replicas: plan.gateway.replicas,
                serviceType: plan.gateway.serviceType,
                hostname: plan.gateway.hostname,
                tls: plan.gateway.tls,
                maxRequestBodyMiB: plan.gateway.maxRequestBodyMiB,
                image: plan.gateway.image,
                nodeGroups: plan.nodeGroups.filter((g) => g.kind === NodeGroupKind.Cpu).map((g) => g.name),
                labels: partOf,
            },
            k8sOpts,
        );
        this.endpoint = gateway.endpoint;

        this.services = pulumi.all(
            services.map(({ service, accessName: access }, i) =>
                pulumi.all([modelServices[i].serviceId, modelServices[i].status, gateway.endpoint]).apply(
                    ([serviceId, status, endpoint]): ServiceSummary => ({
                        name: service.name,
                        displayName: service.displayName,
                        accessName: access,
                        serviceId,
                        baseModel: service.model,
                        task: service.task,
                        instances: service.instances,
                        gpusPerInstance: service.gpus,
                        totalGpus: service.gpus * service.instances,
                        pricePerHourUsd: service.capacity?.pricePerHourUsd ?? 0,
                        nodeGroup: service.nodeGroup,
                        status,
                        examples: serviceExamples(endpoint, access, service.task),
                    }),
                ),
            ),
        );
        // From the plan, in config order (GPU and CPU groups alike).
        this.nodeGroups = pulumi.output(
            plan.nodeGroups.map(
                (g): NodeGroupSummary => ({
                    name: g.name,
                    kind: g.kind,
                    instanceType: g.instanceType,
                    gpusPerNode: g.gpusPerNode,
                    minSize: g.minSize,
                    desiredSize: g.desiredSize,
                    maxSize: g.maxSize,
                }),
            ),
        );

        this.capacity = pulumi.output(plan.capacity);

        this.registerOutputs({
            endpoint: this.endpoint,
            capacity: this.capacity,
            services: this.services,
            apiKeys: this.apiKeys,
            nodeGroups: this.nodeGroups,
            namespace: this.namespace,
        });
    }
}
