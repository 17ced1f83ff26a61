import { existsSync } from "node:fs";
import * as path from "node:path";
import OpenAI from "openai";
import { readStackFile } from "../components/config/stackFile";
import { ApiKeyConfig } from "../components/config/types";
import { gatewayObjectName } from "../components/conventions";
import { portForward, PortForward } from "./kube";
import { clusterTarget, projectDir, readStackOutputs, selectedStack, ServiceOutput, StackOutputs } from "./stack";

/** How a command reaches a service: a client on the gateway, the model name, and what to close after. */
export interface Connection {
    client: OpenAI;
    model: string;
    service?: ServiceOutput;
    close(): void;
}

export interface ConnectOptions {
    stack?: string;
    kubeconfig?: string;
    /** Name of the key to call with; default: the first key allowed to call the service. */
    key?: string;
    /** An OpenAI-compatible base URL to use instead of the stack's (then the key comes from MODEL_SERVICES_API_KEY). */
    endpoint?: string;
}

/** A service by name or access name. */
export function findService(outputs: StackOutputs, name: string): ServiceOutput {
    const found = (outputs.services ?? []).find((s) => s.name === name || s.accessName === name);
    if (!found) {
        const names = (outputs.services ?? []).map((s) => `"${s.name}"`).join(", ");
        throw new Error(`no service "${name}" in the stack; its services are ${names || "(none)"}`);
    }
    return found;
}

/** The key to call a service with: the named one, or the first whose scope covers the service. */
export function pickKey(keys: Record<string, string>, scopes: Array<{ name: string; services?: string[] }>, service: string, wanted?: string): { name: string; value: string } {
    const name = wanted ?? scopes.find((k) => k.services?.includes("*") || k.services?.includes(service))?.name ?? Object.keys(keys)[0];
    const value = name ? keys[name] : undefined;
    if (!name || !value) {
        throw new Error(wanted ? `no API key named "${wanted}" in the stack's outputs; the keys are ${Object.keys(keys).join(", ")}` : `no API key may call "${service}": add one to apiKeys`);
    }
    return { name, value };
}

/**
 * Opens the way to a service: the stack's endpoint, or — when it is cluster-internal
 * (`*.svc.cluster.local`, a ClusterIP gateway) — a port-forward to the gateway Service itself,
 * so the request passes the same key check, routing and limits as any client's.
 */
export async function connect(serviceName: string, opts: ConnectOptions): Promise<Connection> {
    const endpoint = opts.endpoint ?? process.env.MODEL_SERVICES_ENDPOINT;
    if (endpoint) {
        const apiKey = process.env.MODEL_SERVICES_API_KEY;
        if (!apiKey) throw new Error("MODEL_SERVICES_API_KEY is not set (needed with --endpoint)");
        return { client: new OpenAI({ baseURL: endpoint, apiKey }), model: serviceName, close: () => undefined };
    }
    const cwd = projectDir();
    const stack = opts.stack ?? (await selectedStack(cwd));
    const outputs = await readStackOutputs(stack, { secrets: true, cwd });
    const service = findService(outputs, serviceName);
    const stackFile = path.join(cwd, `Pulumi.${stack}.yaml`);
    const scopes = existsSync(stackFile) ? ((readStackFile(stackFile).raw.apiKeys ?? []) as ApiKeyConfig[]) : [];
    const key = pickKey((outputs.apiKeys ?? {}) as Record<string, string>, scopes, service.name, opts.key);
    let forward: PortForward | undefined;
    let baseURL = outputs.endpoint ?? "";
    const inCluster = /^(https?):\/\/([^./]+)\.[^/]*\.svc\.cluster\.local(?::\d+)?\/v1$/.exec(baseURL);
    if (inCluster) {
        const target = clusterTarget(outputs, stackFile, { kubeconfig: opts.kubeconfig });
        forward = await portForward(target, `service/${inCluster[2] ?? gatewayObjectName}`, inCluster[1] === "https" ? 443 : 80);
        baseURL = `${inCluster[1]}://127.0.0.1:${forward.localPort}/v1`;
    }
    return { client: new OpenAI({ baseURL, apiKey: key.value }), model: service.accessName, service, close: () => forward?.close() };
}
