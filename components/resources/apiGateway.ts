import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { accessNameLeaf, ArgsCheck } from "../config/args";
import { defaults, GatewayLoadBalancerScheme, GatewayServiceType } from "../config/rules";
import { apiKeySchema, gatewaySchema, serviceSchema } from "../config/schema";
import { GatewayConfig, GatewayTlsConfig } from "../config/types";
import { gatewayClustersSecretName, gatewayComponent, gatewayConfigSecretName, gatewayObjectName, gatewaySelector, nodeGroupLabel, platformLabels, typeTokenPrefix } from "../conventions";
import {
    envoyFiles,
    envoySecretFiles,
    gatewayMemoryLimitMiB,
    gatewayPaths,
    gatewayPorts,
    gatewayTimeouts,
    GatewayKey,
    GatewayRoute,
    renderBootstrap,
    renderEnvoyConfig,
} from "../plan/gateway";
import { images } from "../versions";

/**
 * The gateway in front of a set of model services. `routes` and `keys` may be outputs of other
 * components (`ModelService.route`, a `KeyStore`'s `keys`); every field is checked with the
 * stack config's rules and messages.
 */
export interface ApiGatewayArgs {
    /** Namespace of the gateway's objects. */
    namespace: pulumi.Input<string>;
    /** One route per model service (stopped services included: they answer 503); `ModelService.route` is one. */
    routes: pulumi.Input<pulumi.Input<GatewayRoute>[]>;
    /** The API keys with their values; a secret Output in practice. */
    keys: pulumi.Input<pulumi.Input<GatewayKey>[]>;
    /** Envoy pods. @default 2 */
    replicas?: pulumi.Input<number>;
    /** How the gateway is exposed. @default "ClusterIP" */
    serviceType?: GatewayServiceType;
    /** Public host name; it forms `endpoint` when set. @default none (the in-cluster or load balancer URL) */
    hostname?: string;
    /** TLS on the API listener from a `kubernetes.io/tls` Secret. @default none (plain HTTP) */
    tls?: GatewayTlsConfig;
    /** `LoadBalancer` only: an internal NLB (reachable from the VPC) or an internet-facing one. @default "internal" */
    scheme?: GatewayLoadBalancerScheme;
    /** `LoadBalancer` only: ACM certificate ARN; the NLB ends TLS with it on port 443. @default none */
    certificateArn?: string;
    /** `LoadBalancer` only: client CIDRs the NLB admits. @default every address the scheme reaches */
    loadBalancerSourceRanges?: string[];
    /** Largest request body accepted, MiB. @default 32 */
    maxRequestBodyMiB?: number;
    /** Envoy image. @default the pinned Envoy image */
    image?: string;
    /**
     * CPU node groups the gateway runs on (their `model-services.io/node-group` values). With
     * none, it runs on any node outside a node group; never on a GPU node. @default []
     */
    nodeGroups?: string[];
    /** Extra labels for every object. @default {} */
    labels?: Record<string, string>;
}

/** A route's and a key's fields, each with the config leaf it mirrors. */
const routesLeaf = z.array(
    z.object({
        name: serviceSchema.shape.name,
        accessName: accessNameLeaf,
        task: serviceSchema.shape.task,
        instances: serviceSchema.shape.instances,
    }),
);
const keysLeaf = z.array(
    z.object({
        name: apiKeySchema.shape.name,
        services: apiKeySchema.shape.services,
        requestsPerMinute: apiKeySchema.shape.requestsPerMinute,
    }),
);

/** Pod annotation with the bootstrap's SHA-256: the pods roll when, and only when, it changes. */
export const bootstrapChecksumAnnotation = "model-services.io/envoy-bootstrap-sha256";
/** Service ports: the API only (admin, readiness and metrics stay inside the pod's network). */
export const gatewayServicePorts = { http: 80, https: 443 } as const;

/**
 * Annotations for the AWS Load Balancer Controller: an NLB with IP targets, the scheme the
 * config chose, a PROXY v2 header carrying the caller's address, and TLS with an ACM
 * certificate on port 443 when one is given. HTTP/2 and SSE pass through as TCP.
 */
export function loadBalancerAnnotations(gateway: Pick<GatewayConfig, "scheme" | "certificateArn">): Record<string, string> {
    const prefix = "service.beta.kubernetes.io/aws-load-balancer";
    return {
        [`${prefix}-type`]: "external",
        [`${prefix}-nlb-target-type`]: "ip",
        [`${prefix}-scheme`]: gateway.scheme ?? defaults.gatewayScheme,
        [`${prefix}-proxy-protocol`]: "*",
        ...(gateway.certificateArn ? { [`${prefix}-ssl-cert`]: gateway.certificateArn, [`${prefix}-ssl-ports`]: String(gatewayServicePorts.https) } : {}),
    };
}

/** Nodes of the given CPU groups, or — when none are given — nodes in no node group (the gateway's and the playground's placement). */
export function cpuNodeSelector(nodeGroups: readonly string[]): k8s.types.input.core.v1.NodeSelectorRequirement {
    return nodeGroups.length > 0 ? { key: nodeGroupLabel, operator: "In", values: [...nodeGroups].sort() } : { key: nodeGroupLabel, operator: "DoesNotExist" };
}

/** Envoy's user in the stock image. */
const envoyUid = 101;
/** Worker threads; matches the CPU limit so a big node does not spawn dozens. */
const envoyConcurrency = 2;
/** Pod resources of one Envoy. */
export const gatewayResources = {
    requests: { cpu: "250m", memory: "256Mi" },
    limits: { cpu: String(envoyConcurrency), memory: `${gatewayMemoryLimitMiB}Mi` },
} as const;

/**
 * The API-key gateway: stock Envoy in front of every model service, configured by
 * `renderEnvoyConfig` from the services and keys. The config lives in a Secret mounted as a
 * directory; Envoy watches it, so route, key and cluster changes reload in place without
 * dropping streams, and the pods roll only when the bootstrap changes.
 */
export class ApiGateway extends pulumi.ComponentResource {
    /** Base URL of the OpenAI-compatible API, ending in `/v1`. */
    public readonly endpoint: pulumi.Output<string>;
    /** Name of the gateway's Kubernetes Service. */
    public readonly serviceName: pulumi.Output<string>;

    constructor(name: string, args: ApiGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before the component registers: bad args create nothing.
        const check = new ArgsCheck(`ApiGateway "${name}" args`);
        const leaf = gatewaySchema.shape;
        const replicas = check.input("replicas", leaf.replicas, args.replicas);
        const routes = check.input<GatewayRoute[]>("routes", routesLeaf, args.routes as pulumi.Input<GatewayRoute[]>);
        const keys = check.input<GatewayKey[]>("keys", keysLeaf, args.keys as pulumi.Input<GatewayKey[]>);
        const gateway: Omit<GatewayConfig, "replicas"> = {
            serviceType: check.plain("serviceType", leaf.serviceType, args.serviceType) ?? GatewayServiceType.ClusterIP,
            hostname: check.plain("hostname", leaf.hostname, args.hostname),
            tls: check.plain("tls", leaf.tls, args.tls),
            maxRequestBodyMiB: check.plain("maxRequestBodyMiB", leaf.maxRequestBodyMiB, args.maxRequestBodyMiB) ?? defaults.maxRequestBodyMiB,
            image: check.plain("image", leaf.image, args.image),
            scheme: check.plain("scheme", leaf.scheme, args.scheme) ?? defaults.gatewayScheme,
            certificateArn: check.plain("certificateArn", leaf.certificateArn, args.certificateArn),
            loadBalancerSourceRanges: check.plain("loadBalancerSourceRanges", leaf.loadBalancerSourceRanges, args.loadBalancerSourceRanges),
        };
        check.throwIfInvalid();
        super(`${typeTokenPrefix}:ApiGateway`, name, {}, opts);
        const tls = gateway.tls !== undefined;
        // TLS at the NLB: clients speak https to port 443, Envoy's plain listener serves behind it.
        const nlbTls = gateway.certificateArn !== undefined;

        const selector = { ...gatewaySelector };
        const labels = { ...args.labels, ...selector, "app.kubernetes.io/component": gatewayComponent, ...platformLabels };

        // The keys make the whole config secret; the bootstrap alone holds none.
        const files = pulumi.secret(
            pulumi.all([routes, keys, replicas]).apply(([routeList, keyList, replicaCount]) =>
                renderEnvoyConfig({ routes: routeList, keys: keyList, gateway: { ...gateway, replicas: replicaCount ?? defaults.gatewayReplicas } }),
            ),
        );
        const bootstrapChecksum = createHash("sha256").update(renderBootstrap()).digest("hex");

        const filesOf = (names: readonly string[]) => files.apply((all) => Object.fromEntries(Object.entries(all).filter(([file]) => names.includes(file))));
        const config = new k8s.core.v1.Secret(
            `${name}-config`,
            {
                metadata: { name: gatewayConfigSecretName, namespace: args.namespace, labels },
                type: "Opaque",
                stringData: filesOf(envoySecretFiles.config),
            },
            { parent: this },
        );
        // The clusters in a Secret of their own: each stays under the 1 MiB limit at 500 services × 500 keys.
        const clusters = new k8s.core.v1.Secret(
            `${name}-clusters`,
            {
                metadata: { name: gatewayClustersSecretName, namespace: args.namespace, labels },
                type: "Opaque",
                stringData: filesOf(envoySecretFiles.clusters),
            },
            { parent: this },
        );

        const apiPort = tls
            ? { name: "api-tls", containerPort: gatewayPorts.apiTls, servicePort: gatewayServicePorts.https, servicePortName: "https" }
            : nlbTls
              ? { name: "api", containerPort: gatewayPorts.api, servicePort: gatewayServicePorts.https, servicePortName: "https" }
              : { name: "api", containerPort: gatewayPorts.api, servicePort: gatewayServicePorts.http, servicePortName: "http" };

        const volumes: k8s.types.input.core.v1.Volume[] = [
            // One directory from both Secrets; kubelet swaps it atomically (`..data`), which is what Envoy's watch reacts to.
            {
                name: "config",
                projected: { defaultMode: 0o440, sources: [{ secret: { name: config.metadata.name } }, { secret: { name: clusters.metadata.name } }] },
            },
            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
        ];
        const volumeMounts: k8s.types.input.core.v1.VolumeMount[] = [
            { name: "config", mountPath: gatewayPaths.config, readOnly: true },
            { name: "tmp", mountPath: "/tmp" },
        ];
        if (gateway.tls) {
            volumes.push({ name: "tls", secret: { secretName: gateway.tls.secretName, defaultMode: 0o440 } });
            volumeMounts.push({ name: "tls", mountPath: gatewayPaths.tls, readOnly: true });
        }

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { name: gatewayObjectName, namespace: args.namespace, labels },
                spec: {
                    replicas: replicas.apply((count) => count ?? defaults.gatewayReplicas),
                    selector: { matchLabels: selector },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                    template: {
                        metadata: {
                            labels,
                            annotations: {
                                [bootstrapChecksumAnnotation]: bootstrapChecksum,
                                "prometheus.io/scrape": "true",
                                "prometheus.io/port": String(gatewayPorts.metrics),
                                "prometheus.io/path": gatewayPaths.metrics,
                            },
                        },
                        spec: {
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            // In-flight streams get the drain time before the container is stopped.
                            terminationGracePeriodSeconds: gatewayTimeouts.drainSeconds + 15,
                            securityContext: {
                                runAsNonRoot: true,
                                runAsUser: envoyUid,
                                runAsGroup: envoyUid,
                                fsGroup: envoyUid,
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            // CPU nodes only: the platform's CPU groups by name (no GPU toleration either).
                            affinity: {
                                nodeAffinity: {
                                    requiredDuringSchedulingIgnoredDuringExecution: {
                                        nodeSelectorTerms: [{ matchExpressions: [cpuNodeSelector(args.nodeGroups ?? [])] }],
                                    },
                                },
                                podAntiAffinity: {
                                    preferredDuringSchedulingIgnoredDuringExecution: [
                                        { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } } },
                                    ],
                                },
                            },
                            containers: [
                                {
                                    name: "envoy",
                                    image: gateway.image ?? images.envoy,
                                    command: ["envoy"],
                                    args: [
                                        "--config-path",
                                        `${gatewayPaths.config}/${envoyFiles.bootstrap}`,
                                        "--disable-hot-restart",
                                        "--concurrency",
                                        String(envoyConcurrency),
                                        "--drain-time-s",
                                        String(gatewayTimeouts.drainSeconds),
                                        "--log-level",
                                        "info",
                                    ],
                                    ports: [
                                        { name: apiPort.name, containerPort: apiPort.containerPort },
                                        { name: "readiness", containerPort: gatewayPorts.readiness },
                                        { name: "metrics", containerPort: gatewayPorts.metrics },
                                    ],
                                    resources: { requests: { ...gatewayResources.requests }, limits: { ...gatewayResources.limits } },
                                    startupProbe: { httpGet: { path: gatewayPaths.readiness, port: "readiness" }, periodSeconds: 2, failureThreshold: 30 },
                                    readinessProbe: { httpGet: { path: gatewayPaths.readiness, port: "readiness" }, periodSeconds: 5, failureThreshold: 2 },
                                    livenessProbe: { httpGet: { path: gatewayPaths.liveness, port: "readiness" }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 },
                                    // Endpoints drop the pod first; streams already running get the drain time.
                                    lifecycle: { preStop: { sleep: { seconds: gatewayTimeouts.drainSeconds } } },
                                    securityContext: {
                                        allowPrivilegeEscalation: false,
                                        readOnlyRootFilesystem: true,
                                        capabilities: { drop: ["ALL"] },
                                    },
                                    volumeMounts,
                                },
                            ],
                            volumes,
                        },
                    },
                },
            },
            { parent: this },
        );

        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
                metadata: { name: gatewayObjectName, namespace: args.namespace, labels },
                // One pod at a time, whatever the replica count: a single-replica gateway still lets nodes drain.
                spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
            },
            { parent: this, dependsOn: [deployment] },
        );

        const isLoadBalancer = gateway.serviceType === GatewayServiceType.LoadBalancer;
        const service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: {
                    name: gatewayObjectName,
                    namespace: args.namespace,
                    labels,
                    annotations: isLoadBalancer ? loadBalancerAnnotations(gateway) : undefined,
                },
                spec: {
                    type: gateway.serviceType,
                    loadBalancerSourceRanges: isLoadBalancer ? gateway.loadBalancerSourceRanges : undefined,
                    selector,
                    ports: [{ name: apiPort.servicePortName, port: apiPort.servicePort, targetPort: apiPort.name, protocol: "TCP" }],
                },
            },
            { parent: this },
        );
        this.serviceName = service.metadata.name;

        // The Service listens on the scheme's default port (80 or 443), so the URL needs none.
        const scheme = tls || nlbTls ? "https" : "http";
        const inCluster = pulumi.interpolate`${scheme}://${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local/v1`;
        if (gateway.hostname) {
            // Never advertise https that nothing serves.
            this.endpoint = pulumi.output(`${scheme}://${gateway.hostname}/v1`);
        } else if (isLoadBalancer) {
            this.endpoint = pulumi.all([service.status, inCluster]).apply(([status, fallback]) => {
                const ingress = status?.loadBalancer?.ingress?.[0];
                const host = ingress?.hostname || ingress?.ip;
                return host ? `${scheme}://${host}/v1` : fallback;
            });
        } else {
            this.endpoint = inCluster;
        }

        this.registerOutputs({ endpoint: this.endpoint, serviceName: this.serviceName });
    }
}
