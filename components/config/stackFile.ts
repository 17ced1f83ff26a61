import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { ConfigError, configNamespace, IssueList } from "./issues";
import { ParseContext } from "./parse";

/**
 * The one reader of a stack's `model-services:*` keys, for the program (from the running
 * engine's config) and for the scripts (from a `Pulumi.<stack>.yaml` file). Both give the
 * same thing: the keys without the namespace, values decoded, and which keys are secret.
 */
export interface StackInput {
    /** The namespace's keys without the `model-services:` prefix, as `parseConfig` takes them. */
    raw: Record<string, unknown>;
    /** What `parseConfig` needs besides the keys. */
    context: ParseContext;
}

/** What a stack program reads from its engine: the keys, and the secrets kept apart from them. */
export interface ProgramInput extends StackInput {
    /** The Hugging Face token, a Pulumi secret, when configured. */
    huggingFaceToken?: pulumi.Output<string>;
}

/**
 * Reads every `model-services:*` key of the running stack, JSON-decodes structured values and
 * resolves `cluster.kubeconfig` against the project directory (paths in Pulumi.<stack>.yaml are
 * relative to the project, wherever the program runs). Throws a `ConfigError` when that file
 * does not exist, before anything is registered.
 */
export function readStackConfig(): ProgramInput {
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
    const cluster = raw.cluster as { kind?: unknown; kubeconfig?: unknown } | undefined;
    if (cluster?.kind === "kubeconfig" && typeof cluster.kubeconfig === "string" && cluster.kubeconfig !== "") {
        const file = path.resolve(pulumi.getRootDirectory(), cluster.kubeconfig);
        if (!existsSync(file)) {
            const issues = new IssueList();
            issues.add("cluster.kubeconfig", cluster.kubeconfig, `names no file (${file})`, "start the cluster first (npm run cluster:up for the local stack), or fix the path");
            throw new ConfigError(issues.issues);
        }
        raw.cluster = { ...cluster, kubeconfig: file };
    }
    const huggingFaceToken = new pulumi.Config(configNamespace).getSecret("huggingFaceToken");
    return { raw, context: { stack: pulumi.getStack(), project: pulumi.getProject(), secretKeys }, huggingFaceToken };
}

/**
 * The `model-services:*` keys of a Pulumi stack file; secure values become a placeholder and
 * are listed as secret. The stack name is the file's (`Pulumi.<stack>.yaml`).
 */
export function readStackFile(file: string): StackInput {
    const doc = (parseYaml(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const raw: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (!key.startsWith(`${configNamespace}:`)) {
            continue;
        }
        const name = key.slice(configNamespace.length + 1);
        if (value !== null && typeof value === "object" && "secure" in value) {
            secretKeys.add(name);
            raw[name] = "[secret]";
        } else {
            raw[name] = value;
        }
    }
    const stack = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1] ?? path.basename(file);
    return { raw, context: { stack, secretKeys } };
}

/** Structured config values arrive as JSON text; plain strings stay strings. */
function decode(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
