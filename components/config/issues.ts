import * as pulumi from "@pulumi/pulumi";

/**
 * The project's error contract for bad input: every problem with its config path, the bad
 * value and the fix, reported all at once before anything is created.
 */

/** The Pulumi config namespace of every key this project reads. */
export const configNamespace = "model-services";

/** One problem in a stack's config: where, what was there, and what to do. */
export interface ConfigIssue {
    /** Config path, e.g. `services[2].instances`. */
    path: string;
    /** The bad value as written (undefined when the key is missing). */
    value: unknown;
    /** The whole message, `<path>: <what is wrong>, got <value>. <fix>`. */
    message: string;
}

/**
 * Every problem of a stack's config at once. A `RunError`, so Pulumi prints the message
 * without a stack trace, and it is thrown before any resource is registered.
 */
export class ConfigError extends pulumi.RunError {
    /** @param subject what was invalid; a component's args name the component and its resource name. */
    constructor(
        public readonly issues: ConfigIssue[],
        subject = `${configNamespace} config`,
    ) {
        super(
            `Invalid ${subject} (${issues.length} problem${issues.length === 1 ? "" : "s"}); nothing was changed:\n` +
                issues.map((i) => `  - ${i.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Collects issues in the project's message shape. */
export class IssueList {
    readonly issues: ConfigIssue[] = [];

    /**
     * `<path>: <problem>, got <value>. <fix>` — `value` is omitted from the text when undefined.
     * A message already in the list is not added again (zod reports a value that is both too
     * long and malformed twice, with the leaf's one message).
     */
    add(path: string, value: unknown, problem: string, fix?: string): void {
        const got = value === undefined ? "" : `, got ${show(value)}`;
        const message = `${path}: ${problem}${got}.${fix ? ` ${capitalize(fix)}${/[.!?]$/.test(fix) ? "" : "."}` : ""}`;
        if (!this.issues.some((issue) => issue.message === message)) {
            this.issues.push({ path, value, message });
        }
    }

    get empty(): boolean {
        return this.issues.length === 0;
    }
}

/** `"a", "b", "c"` */
export function quoted(names: readonly string[]): string {
    return names.map((n) => `"${n}"`).join(", ");
}

/** `a.b[0].c` for a path of keys and indexes. */
export function formatPath(path: PropertyKey[]): string {
    return path.reduce<string>((acc, segment) => (typeof segment === "number" ? `${acc}[${segment}]` : acc ? `${acc}.${String(segment)}` : String(segment)), "");
}

function show(value: unknown): string {
    const text = typeof value === "string" && /^\[(redacted|plaintext)\]$/.test(value) ? value : JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function capitalize(s: string): string {
    return s.charAt(0).toUpperCase() + s.slice(1);
}
