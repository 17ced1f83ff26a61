import { z } from "zod";
import { didYouMean } from "./didYouMean";
import { formatPath, IssueList } from "./issues";
import { unsupportedQuantizations } from "./rules";
import { configSchema, splitLeafMessage } from "./schema";

/** zod's issues in the project's shape: path, the value as written, and the fix the schema leaf carries. */

export function reportZodIssue(issues: IssueList, issue: z.core.$ZodIssue, raw: Record<string, unknown>): void {
    const path = formatPath(issue.path);
    if (issue.code === "unrecognized_keys") {
        const allowed = allowedKeysAt(issue.path, raw);
        for (const key of issue.keys) {
            const keyPath = path ? `${path}.${key}` : key;
            issues.add(
                keyPath,
                undefined,
                "is not a known key",
                didYouMean(key, allowed) ?? `known keys here: ${allowed.join(", ")}`,
            );
        }
        return;
    }
    const message = issue.code === "invalid_key" && issue.issues.length > 0 ? issue.issues[0].message : issue.message;
    const { expected, fix } = splitLeafMessage(message);
    const value = valueAt(raw, issue.path);
    if (issue.path.at(-1) === "quantization" && typeof value === "string" && unsupportedQuantizations[value]) {
        issues.add(path, value, "is not supported by the pinned vLLM image (components/versions.ts), which has no such quantization method", unsupportedQuantizations[value]);
        return;
    }
    if (value === undefined) {
        issues.add(path, undefined, `is missing; expected ${expected}`, fix);
    } else if (issue.code === "invalid_key") {
        issues.add(path, undefined, `has a bad key; expected ${expected}`, fix);
    } else {
        issues.add(path, value, `expected ${expected}`, fix);
    }
}

/** The keys the schema allows for the object at `path` (the raw value picks the branch of a union). */
function allowedKeysAt(path: PropertyKey[], raw: Record<string, unknown>): string[] {
    let schema: z.ZodType = configSchema;
    let value: unknown = raw;
    const unwrap = (s: z.ZodType): z.ZodType => {
        let current = s;
        for (;;) {
            const def = current.def as { type: string; innerType?: z.ZodType };
            if ((def.type === "optional" || def.type === "default" || def.type === "nullable") && def.innerType) {
                current = def.innerType;
            } else {
                return current;
            }
        }
    };
    const branch = (s: z.ZodType, v: unknown): z.ZodType => {
        const def = s.def as { type: string; options?: z.ZodType[]; discriminator?: string };
        if (def.type !== "union" || !def.options) {
            return s;
        }
        const kind = (v as Record<string, unknown> | undefined)?.[def.discriminator ?? ""];
        return def.options.find((o) => (o as z.ZodObject).shape?.[def.discriminator ?? ""]?.def?.values?.includes(kind)) ?? def.options[0];
    };
    schema = branch(unwrap(schema), value);
    for (const segment of path) {
        value = (value as Record<PropertyKey, unknown> | undefined)?.[segment];
        const def = schema.def as { type: string; element?: z.ZodType };
        if (def.type === "array" && def.element) {
            schema = def.element;
        } else if (def.type === "object") {
            schema = (schema as z.ZodObject).shape[String(segment)] as z.ZodType;
        } else {
            return [];
        }
        schema = branch(unwrap(schema), value);
    }
    return schema.def.type === "object" ? Object.keys((schema as z.ZodObject).shape) : [];
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
    let value = raw;
    for (const segment of path) {
        if (value === null || typeof value !== "object") {
            return undefined;
        }
        value = (value as Record<PropertyKey, unknown>)[segment];
    }
    return value;
}



