import { z } from "zod";
import { didYouMean } from "./didYouMean";
import { formatPath, IssueList } from "./issues";
import { unsupportedQuantizations } from "./rules";
import { splitLeafMessage } from "./schema";

/**
 * zod's issues in the project's shape: path, the value as written, and the fix the schema leaf
 * carries. `schema` is the one `raw` was parsed with: an unknown key's message lists the keys it
 * allows at that path.
 */
export function reportZodIssue(issues: IssueList, issue: z.core.$ZodIssue, raw: Record<string, unknown>, schema: z.ZodType): void {
    const path = formatPath(issue.path);
    if (issue.code === "unrecognized_keys") {
        const allowed = allowedKeysAt(schema, issue.path, raw);
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
    // zod reports a bad record key only with the key schema's issues; the first carries the leaf's message.
    const message = issue.code === "invalid_key" ? issue.issues[0].message : issue.message;
    const { expected, fix } = splitLeafMessage(message);
    const value = valueAt(raw, issue.path);
    if (issue.path.at(-1) === "quantization" && typeof value === "string" && Object.hasOwn(unsupportedQuantizations, value)) {
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

/**
 * The keys the schema allows for the object at `path`. zod reports an unknown key only inside a
 * mapping it went into, so each step of the path is a mapping, a list, or the branch of the
 * cluster's union that the value's kind picked.
 */
function allowedKeysAt(root: z.ZodType, path: PropertyKey[], raw: Record<string, unknown>): string[] {
    let schema = root;
    let value: unknown = raw;
    for (const segment of path) {
        value = (value as Record<PropertyKey, unknown>)[segment];
        const def = schema.def as { type: string; element?: z.ZodType };
        schema = objectOf(def.type === "array" ? def.element! : (schema as z.ZodObject).shape[String(segment)], value);
    }
    return Object.keys((schema as z.ZodObject).shape);
}

/** The schema of `value` without its wrappers (optional), and of a discriminated union the branch the value's kind names. */
function objectOf(schema: z.ZodType, value: unknown): z.ZodType {
    let current = schema;
    while (innerOf(current)) {
        current = innerOf(current)!;
    }
    const def = current.def as { type: string; options?: z.ZodObject[]; discriminator?: string };
    if (def.type !== "union") {
        return current;
    }
    const discriminator = def.discriminator!;
    const kind = (value as Record<string, unknown>)[discriminator];
    return def.options!.find((o) => (o.shape[discriminator].def as { values: unknown[] }).values.includes(kind))!;
}

function innerOf(schema: z.ZodType): z.ZodType | undefined {
    return (schema.def as { innerType?: z.ZodType }).innerType;
}

/** The value at an issue's path: zod's paths run only through the mappings and lists it went into. */
function valueAt(raw: unknown, path: PropertyKey[]): unknown {
    return path.reduce<unknown>((value, segment) => (value as Record<PropertyKey, unknown>)[segment], raw);
}
