import { readFileSync } from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ApiGateway } from "./apiGateway";
import { accessName } from "./config";
import { EksCluster } from "./eksCluster";
import { GatewayKey, GatewayRoute } from "./envoyConfig";
import { serviceExamples, ServiceExamples } from "./examples";
import { catalogPriceDate, catalogRegion } from "./gpuCatalog";
import { GpuNodeGroup } from "./gpuNodeGroup";
import { KeyStore } from "./keyStore";
import { ModelService } from "./modelService";
import { NvidiaDevicePlugin } from "./nvidiaDevicePlugin";
import { serviceBackendHost, vllmPort } from "./servicePlan";
import { GpuAmiType, PlatformConfig } from "./types";

export interface ModelPlatformArgs {
    /** The platform's config, from `parseConfig` (or built by another program the same way). */
    config: PlatformConfig;
    /** Hugging Face token for gated models; kept in a Secret. */
    huggingFaceToken?: pulumi.Input<string>;
    /**
     * A Kubernetes provider to deploy with instead of one built from `config.cluster`. Give it
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

/** The `capacity` stack output: totals over all node groups, priced from the instance catalog. */
export interface CapacitySummary {
    /** GPUs of all node groups at their desired sizes. */
    totalGpus: number;
    /** GPUs all running services ask for. */
    requestedGpus: number;
    /** Approximate on-demand price of all node groups at their desired sizes. */
    pricePerHourUsd: number;
    priceRegion: string;
    priceDate: string;
}

/** One row of the `nodeGroups` stack output. */
export interface NodeGroupSummary {
    name: string;
    instanceType: string;
    gpusPerNode: number;
    minSize: number;
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
        super("model-services:index:ModelPlatform", name, {}, opts);
        const { config } = args;
        const child = { parent: this };
        const partOf = { "app.kubernetes.io/part-of": "model-services", "app.kubernetes.io/managed-by": "pulumi" };

        const eks = config.cluster.kind === "eks" ? new EksCluster(`${name}-eks`, { cluster: config.cluster, tags: { "model-services.io/part-of": "model-services" } }, child) : undefined;
        // Server-side apply, and Secrets updated in place: key rotation and route changes reach the
        // gateway through its watched directory instead of replacing the Secrets and rolling Envoy.
        const providerBehaviour = { enableServerSideApply: true, enableSecretMutable: true };
        const provider =
            args.kubernetesProvider ??
            new k8s.Provider(
                `${name}-k8s`,
                config.cluster.kind === "kubeconfig"
                    ? {
                          ...providerBehaviour,
                          // The file's contents (client credentials inside, so a secret), read once per run.
                          kubeconfig: config.cluster.kubeconfig ? pulumi.secret(readFileSync(config.cluster.kubeconfig, "utf8")) : undefined,
                          context: config.cluster.context,
                      }
                    : { ...providerBehaviour, kubeconfig: eks!.kubeconfig },
                child,
            );
        const k8sOpts = { parent: this, provider };

        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: config.namespace, labels: partOf } }, k8sOpts);
        this.namespace = namespace.metadata.name;

        const services = config.services.map((service) => {
            const group = config.nodeGroups.find((g) => g.name === service.nodeGroup);
            if (!group) {
                throw new pulumi.ResourceError(`service "${service.name}" names node group "${service.nodeGroup}", which does not exist`, this);
            }
            return { service, group, accessName: accessName(config.owner, service.name) };
        });

        let hfSecretName: pulumi.Output<string> | undefined;
        if (args.huggingFaceToken !== undefined) {
            const hf = new k8s.core.v1.Secret(
                `${name}-hf-token`,
                {
                    metadata: { name: "huggingface-token", namespace: this.namespace, labels: partOf },
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
                    { namespace: this.namespace, service, nodeGroup: group, accessName: access, huggingFaceTokenSecret: hfSecretName },
                    k8sOpts,
                ),
        );

        const groups = config.nodeGroups.map((group) => {
            const placed = services.map((s, i) => ({ s, i })).filter(({ s }) => s.service.nodeGroup === group.name);
            const serviceIds = pulumi.all(Object.fromEntries(placed.map(({ s, i }) => [s.service.name, modelServices[i].serviceId])));
            return new GpuNodeGroup(
                `${name}-${group.name}`,
                { group, serviceIds, eks: eks ? { clusterName: eks.clusterName, subnetIds: eks.subnetIds } : undefined },
                child,
            );
        });

        const devicePluginGroups = config.nodeGroups
            .filter((g) => (config.cluster.kind === "eks" ? g.amiType !== GpuAmiType.BottlerocketNvidia : config.cluster.nvidiaDevicePlugin))
            .map((g) => g.name);
        if (devicePluginGroups.length > 0) {
            new NvidiaDevicePlugin(`${name}-device-plugin`, { nodeGroups: devicePluginGroups }, k8sOpts);
        }

        const keyStore = new KeyStore(
            `${name}-keys`,
            { namespace: this.namespace, apiKeys: config.apiKeys, awsSecretsManager: config.keyStore.awsSecretsManager, labels: partOf },
            k8sOpts,
        );
        this.apiKeys = keyStore.keys;

        const routes: GatewayRoute[] = services.map(({ service, accessName: access }) => ({
            name: service.name,
            accessName: access,
            task: service.task,
            backendHost: serviceBackendHost(service.name, config.namespace),
            backendPort: vllmPort,
            instances: service.instances,
        }));
        const gatewayKeys: pulumi.Output<GatewayKey[]> = keyStore.keys.apply((values) =>
            config.apiKeys.map((key) => ({ name: key.name, value: values[key.name], services: key.services, requestsPerMinute: key.requestsPerMinute })),
        );
        const gateway = new ApiGateway(
            `${name}-gateway`,
            { namespace: this.namespace, routes, keys: gatewayKeys, gateway: config.gateway, labels: partOf },
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
        this.nodeGroups = pulumi.all(
            groups.map((g) =>
                pulumi.all([g.groupName, g.instanceType, g.gpusPerNode, g.minSize, g.desiredSize, g.maxSize]).apply(
                    ([groupName, instanceType, gpusPerNode, minSize, desiredSize, maxSize]): NodeGroupSummary => ({
                        name: groupName,
                        instanceType,
                        gpusPerNode,
                        minSize,
                        desiredSize,
                        maxSize,
                    }),
                ),
            ),
        );

        this.capacity = pulumi.output(
            config.capacity ?? { totalGpus: 0, requestedGpus: 0, pricePerHourUsd: 0, priceRegion: catalogRegion, priceDate: catalogPriceDate },
        );

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
