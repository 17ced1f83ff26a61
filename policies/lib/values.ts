import { UnknownValueError } from "@pulumi/policy";

/**
 * Reading resource properties the way the engine hands them to a policy. During a preview
 * some values are not known yet (a label computed from a generated ID, a namespace name
 * read from another resource); the engine's proxy throws when a policy touches one. The
 * policies here copy the properties into plain data first, with `unknownValue` in place
 * of each unknown, and skip a check whose inputs are unknown rather than guess: the same
 * check runs again, with every value known, when `pulumi up` registers the resource.
 */

/** Stands in for a value that is not known until the update. */
export const unknownValue: unique symbol = Symbol("unknown until the update");
export type UnknownValue = typeof unknownValue;

/** A plain copy of `value` (the engine's proxied properties), with `unknownValue` for every unknown. */
export function plain(value: unknown): any {
    if (value === null || typeof value !== "object") {
        return value;
    }
    if (Array.isArray(value)) {
        return Array.from({ length: value.length }, (_, i) => readField(value, i));
    }
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
        copy[key] = readField(value as Record<string, unknown>, key);
    }
    return copy;
}

function readField(container: any, key: string | number): unknown {
    try {
        return plain(container[key]);
    } catch (e) {
        // UnknownValueError is exported at runtime by @pulumi/policy but absent from its typings.
        if (e instanceof UnknownValueError) {
            return unknownValue;
        }
        throw e;
    }
}

export function isUnknown(value: unknown): value is UnknownValue {
    return value === unknownValue;
}

/** A string value, or undefined when absent, unknown or of another type. */
export function str(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** A whole-number-ish value (`2`, `"2"`), or undefined when absent, unknown or not a number. */
export function num(value: unknown): number | undefined {
    if (typeof value === "number") {
        return value;
    }
    if (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) {
        return Number(value);
    }
    return undefined;
}

/** An object value, or undefined when absent, unknown or not an object. */
export function record(value: unknown): Record<string, any> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, any>) : undefined;
}

/** An array value, or an empty array when absent or unknown. */
export function list(value: unknown): any[] {
    return Array.isArray(value) ? value : [];
}

/** The strings of a string array (unknown elements left out). */
export function strings(value: unknown): string[] {
    return list(value).filter((v): v is string => typeof v === "string");
}

/** Every string inside a value, with its property path (`data["envoy.yaml"]`, `spec.template.spec.containers[0].args[3]`). */
export function* stringsWithin(value: unknown, path = ""): Generator<{ path: string; value: string }> {
    if (typeof value === "string") {
        yield { path, value };
    } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            yield* stringsWithin(value[i], `${path}[${i}]`);
        }
    } else if (value !== null && typeof value === "object") {
        for (const [key, v] of Object.entries(value)) {
            const step = /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
            yield* stringsWithin(v, step);
        }
    }
}
