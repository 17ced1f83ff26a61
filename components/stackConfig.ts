import { existsSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, configNamespace, IssueList, parseConfig } from "./config";
import { PlatformConfig } from "./types";

/** What a stack program needs from its config: the parsed platform and the secrets kept apart from it. */
export interface StackConfig {
    config: PlatformConfig;
    /** The Hugging Face token, a Pulumi secret, when configured. */
    huggingFaceToken?: pulumi.Output<string>;
}

/**
 * Reads every `model-services:*` key of the running stack, JSON-decodes structured values,
 * and parses them with `parseConfig`. Throws one `ConfigError` listing every problem,
 * before the program registers any resource.
 */
export function readStackConfig(): StackConfig {
    const prefix = `${configNamespace}:`;
    const raw: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) {
            continue;
        }
        const name = key.slice(prefix.length);
        raw[name] = decode(value);
        if (runtimeConfig.isConfigSecret?.(key)) {
            secretKeys.add(name);
        }
    }
    const config = parseConfig(raw, { stack: pulumi.getStack(), project: pulumi.getProject(), secretKeys });
    // Paths in Pulumi.<stack>.yaml are relative to the project, wherever the program runs.
    if (config.cluster.kind === "kubeconfig" && config.cluster.kubeconfig) {
        config.cluster.kubeconfig = path.resolve(pulumi.getRootDirectory(), config.cluster.kubeconfig);
        if (!existsSync(config.cluster.kubeconfig)) {
            const issues = new IssueList();
            issues.add("cluster.kubeconfig", raw.cluster && (raw.cluster as { kubeconfig?: string }).kubeconfig, `names no file (${config.cluster.kubeconfig})`, "start the cluster first (npm run cluster:up for the local stack), or fix the path");
            throw new ConfigError(issues.issues);
        }
    }
    const huggingFaceToken = new pulumi.Config(configNamespace).getSecret("huggingFaceToken");
    return { config, huggingFaceToken };
}

/** Structured config values arrive as JSON text; plain strings stay strings. */
function decode(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
