import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ArgsCheck } from "../config/args";
import { apiKeySchema, serviceSchema } from "../config/schema";
import { GatewayConfig } from "../config/types";
import {
    apiKeySecretName,
    gatewayObjectName,
    platformLabels,
    playgroundComponent,
    playgroundKeyName,
    playgroundObjectName,
    playgroundSecretName,
    playgroundSelector,
    typeTokenPrefix,
} from "../conventions";
import { images } from "../versions";
import { cpuNodeSelector, gatewayServicePorts } from "./apiGateway";

export interface PlaygroundArgs {
    /** Namespace of the playground's objects; the key Secret must be in it too. */
    namespace: pulumi.Input<string>;
    /**
     * The OpenAI-compatible base URL Open WebUI calls, ending in `/v1`: the gateway's in-cluster
     * address (`playgroundGatewayUrl`), so the playground's requests pass the key check, routes
     * and limits like any client's.
     */
    gatewayUrl: pulumi.Input<string>;
    /** Name of the Secret holding the playground's API key (a `KeyStore`'s `secretName`). @default "model-services-api-keys" */
    apiKeySecretName?: pulumi.Input<string>;
    /** The key's data entry in that Secret: the key name the gateway knows it by. @default "playground" */
    apiKeyName?: string;
    /**
     * CPU node groups the playground runs on (their `model-services.io/node-group` values), as
     * the gateway: with none, any node outside a node group; never a GPU node. @default []
     */
    nodeGroups?: string[];
    /** Open WebUI image. @default the pinned Open WebUI image */
    image?: string;
    /** Extra labels for every object. @default {} */
    labels?: Record<string, string>;
}

/** Port Open WebUI listens on in the pod (the image's `PORT`). */
export const openWebUiPort = 8080;
/** The Service's port: plain HTTP, reached by `kubectl port-forward`. */
export const playgroundServicePort = 80;
/** Where Open WebUI keeps its SQLite database, uploads and model caches. */
export const openWebUiDataDir = "/app/backend/data";
/** Random characters of `WEBUI_SECRET_KEY` (it signs the browser's session tokens): 64 of [A-Za-z0-9] ≈ 381 bits. */
const webUiSecretLength = 64;

/** Pod resources: the backend with its bundled embedding model loaded (sentence-transformers on CPU). */
export const playgroundResources = {
    requests: { cpu: "250m", memory: "1Gi" },
    limits: { cpu: "2", memory: "2Gi" },
} as const;
/** The copy of the image's data directory into the empty volume: a file copy, small. */
const copyResources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } } as const;
/** The data volume: the copied embedding and speech models (≈ 0.3 GiB), the SQLite database, uploads. */
const dataSizeLimit = "4Gi";

/**
 * Open WebUI's settings (names from its environment reference, docs.openwebui.com
 * /reference/env-configuration, for v0.11.0): one OpenAI connection, the gateway; no Ollama;
 * nothing fetched from the network at start (no update check, no model download: the bundled
 * embedding model is copied in by the init container); the environment wins over settings a
 * previous start stored; one user, no login (see docs/playground.md: who can port-forward is
 * who may use it).
 */
export const openWebUiSettings: Readonly<Record<string, string>> = {
    ENABLE_OLLAMA_API: "False",
    ENABLE_OPENAI_API: "True",
    WEBUI_AUTH: "False",
    OFFLINE_MODE: "True",
    HF_HUB_OFFLINE: "1",
    RAG_EMBEDDING_MODEL_AUTO_UPDATE: "False",
    RAG_RERANKING_MODEL_AUTO_UPDATE: "False",
    WHISPER_MODEL_AUTO_UPDATE: "False",
    ENABLE_PERSISTENT_CONFIG: "False",
};

/**
 * The gateway's address inside the cluster, as the playground calls it: plain HTTP on port 80;
 * with TLS at the NLB (`certificateArn`), Envoy's plain listener sits behind Service port 443;
 * with TLS in Envoy (`tls`), https to the public host name when there is one (the certificate
 * names it), else to the Service.
 */
export function playgroundGatewayUrl(gateway: Pick<GatewayConfig, "tls" | "certificateArn" | "hostname">, namespace: string): string {
    const service = `${gatewayObjectName}.${namespace}.svc.cluster.local`;
    if (gateway.tls) {
        return `https://${gateway.hostname ?? service}/v1`;
    }
    return gateway.certificateArn ? `http://${service}:${gatewayServicePorts.https}/v1` : `http://${service}/v1`;
}

/**
 * The web playground: Open WebUI (pinned) on the CPU nodes, behind a ClusterIP Service that
 * `model-services playground` port-forwards to, calling the gateway with its own API key —
 * read from the key Secret through `secretKeyRef`, so the gateway's key scope and rate limit
 * apply to it as to any key. Its session-signing key is generated here and kept in a Secret.
 * Chats live in an emptyDir: a restarted pod starts empty.
 */
export class Playground extends pulumi.ComponentResource {
    /** Name of the playground's ClusterIP Service. */
    public readonly serviceName: pulumi.Output<string>;
    /** The Service's port (what to port-forward to). */
    public readonly servicePort: pulumi.Output<number>;

    constructor(name: string, args: PlaygroundArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before the component registers: bad args create nothing.
        const check = new ArgsCheck(`Playground "${name}" args`);
        const keyName = check.plain("apiKeyName", apiKeySchema.shape.name, args.apiKeyName) ?? playgroundKeyName;
        const image = check.plain("image", serviceSchema.shape.image, args.image) ?? images.openWebUi;
        check.throwIfInvalid();
        super(`${typeTokenPrefix}:Playground`, name, {}, opts);

        const selector = { ...playgroundSelector };
        const labels = { ...args.labels, ...selector, "app.kubernetes.io/component": playgroundComponent, ...platformLabels };

        const webUiSecret = new random.RandomPassword(`${name}-webui-secret`, { length: webUiSecretLength, special: false }, { parent: this });
        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: playgroundSecretName, namespace: args.namespace, labels },
                type: "Opaque",
                stringData: { "webui-secret-key": webUiSecret.result },
            },
            { parent: this },
        );

        const fromSecret = (envName: string, secretName: pulumi.Input<string>, key: string): k8s.types.input.core.v1.EnvVar => ({
            name: envName,
            valueFrom: { secretKeyRef: { name: secretName, key } },
        });
        const containerSecurity = { allowPrivilegeEscalation: false, seccompProfile: { type: "RuntimeDefault" } };

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { name: playgroundObjectName, namespace: args.namespace, labels },
                spec: {
                    // One pod: its chats are in its own SQLite file.
                    replicas: 1,
                    selector: { matchLabels: selector },
                    strategy: { type: "Recreate" },
                    template: {
                        metadata: { labels },
                        spec: {
                            automountServiceAccountToken: false,
                            // No `PLAYGROUND_PORT`-style variables next to Open WebUI's own settings.
                            enableServiceLinks: false,
                            // CPU nodes only, as the gateway: the platform's CPU groups by name.
                            affinity: {
                                nodeAffinity: {
                                    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [cpuNodeSelector(args.nodeGroups ?? [])] }] },
                                },
                            },
                            // The empty volume hides what the image keeps in its data directory (the
                            // embedding model it was built with): copy that in first, as Open WebUI's own
                            // Helm chart does, so the offline start finds the model.
                            initContainers: [
                                {
                                    name: "copy-app-data",
                                    image,
                                    command: ["sh", "-c", `cp -R -n ${openWebUiDataDir}/. /tmp/app-data/`],
                                    resources: { requests: { ...copyResources.requests }, limits: { ...copyResources.limits } },
                                    securityContext: containerSecurity,
                                    volumeMounts: [{ name: "data", mountPath: "/tmp/app-data" }],
                                },
                            ],
                            containers: [
                                {
                                    name: "open-webui",
                                    image,
                                    ports: [{ name: "http", containerPort: openWebUiPort }],
                                    env: [
                                        { name: "OPENAI_API_BASE_URL", value: args.gatewayUrl },
                                        fromSecret("OPENAI_API_KEY", args.apiKeySecretName ?? apiKeySecretName, keyName),
                                        fromSecret("WEBUI_SECRET_KEY", secret.metadata.name, "webui-secret-key"),
                                        ...Object.entries(openWebUiSettings).map(([envName, value]) => ({ name: envName, value })),
                                    ],
                                    resources: { requests: { ...playgroundResources.requests }, limits: { ...playgroundResources.limits } },
                                    // First start: database migrations and loading the embedding model.
                                    startupProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 5, failureThreshold: 60 },
                                    readinessProbe: { httpGet: { path: "/health/db", port: "http" }, periodSeconds: 10, failureThreshold: 3 },
                                    livenessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 20, failureThreshold: 3, timeoutSeconds: 5 },
                                    securityContext: containerSecurity,
                                    volumeMounts: [{ name: "data", mountPath: openWebUiDataDir }],
                                },
                            ],
                            volumes: [{ name: "data", emptyDir: { sizeLimit: dataSizeLimit } }],
                        },
                    },
                },
            },
            { parent: this },
        );

        const service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: playgroundObjectName, namespace: args.namespace, labels },
                // Never exposed outside the cluster: reached through the API server's port-forward.
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: playgroundServicePort, targetPort: "http", protocol: "TCP" }] },
            },
            { parent: this, dependsOn: [deployment] },
        );
        this.serviceName = service.metadata.name;
        this.servicePort = pulumi.output(playgroundServicePort);

        this.registerOutputs({ serviceName: this.serviceName, servicePort: this.servicePort });
    }
}
