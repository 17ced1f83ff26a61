import * as pulumi from "@pulumi/pulumi";
import { NodeGroupKind } from "../config/rules";
import { ApiKeyConfig } from "../config/types";
import { playgroundKeyName } from "../conventions";
import { PlatformPlan } from "../plan/types";
import { Playground, playgroundGatewayUrl } from "./playground";

/** The stack's `playground` output: where the playground is and how to open it; no secret in it. */
export interface PlaygroundSummary {
    /** Namespace and name of its ClusterIP Service. */
    namespace: string;
    service: string;
    /** The Service's port. */
    port: number;
    /** The CLI command that opens it (a port-forward, then the local URL). */
    open: string;
    /** The same with kubectl alone. */
    portForward: string;
    /** Where the browser finds it while either runs. */
    url: string;
    /** Name of its API key at the gateway (the value stays in the key Secret). */
    keyName: string;
    /** Services its key may call. */
    services: string[];
}

/** The local port `model-services playground` forwards from unless told otherwise. */
export const playgroundLocalPort = 8080;

/** The playground's own key, when it is enabled: scoped to `playground.services`, limited like a key without its own limit. */
export function playgroundKeys(plan: PlatformPlan): ApiKeyConfig[] {
    if (!plan.playground.enabled) {
        return [];
    }
    return [{ name: playgroundKeyName, services: plan.playground.services, rotation: 0, requestsPerMinute: plan.gateway.defaultRequestsPerMinute, keepPrevious: false }];
}

/**
 * The playground of `ModelPlatform`, a child of it, when `playground.enabled`: Open WebUI on the
 * CPU groups, calling the gateway in the cluster with the key `playgroundKeys` added to the key
 * store. Returns the `playground` output (undefined when disabled, so the stack has none).
 */
export function addPlayground(
    name: string,
    inputs: { plan: PlatformPlan; namespace: pulumi.Output<string>; keySecretName: pulumi.Output<string>; labels: Record<string, string> },
    opts: pulumi.CustomResourceOptions,
): pulumi.Output<PlaygroundSummary | undefined> {
    const { plan } = inputs;
    if (!plan.playground.enabled) {
        return pulumi.output(undefined);
    }
    const playground = new Playground(
        `${name}-playground`,
        {
            namespace: inputs.namespace,
            gatewayUrl: playgroundGatewayUrl(plan.gateway, plan.namespace),
            apiKeySecretName: inputs.keySecretName,
            apiKeyName: playgroundKeyName,
            nodeGroups: plan.nodeGroups.filter((g) => g.kind === NodeGroupKind.Cpu).map((g) => g.name),
            labels: inputs.labels,
        },
        opts,
    );
    const stack = pulumi.getStack();
    return pulumi.all([inputs.namespace, playground.serviceName, playground.servicePort]).apply(([namespace, service, port]) => ({
        namespace,
        service,
        port,
        open: `npm run playground -- --stack ${stack}`,
        portForward: `kubectl -n ${namespace} port-forward service/${service} ${playgroundLocalPort}:${port}`,
        url: `http://127.0.0.1:${playgroundLocalPort}`,
        keyName: playgroundKeyName,
        services: plan.playground.services,
    }));
}
